package io.vpccni.controller.config;

import io.vpccni.controller.plan.WarmPoolConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The controller's configuration file (JSON), every key documented in docs/controller-config.md.
 * Unknown keys are refused; a bad value names its key.
 */
public record ControllerConfig(
    String clusterId,
    String provider,
    Map<String, String> providerSettings,
    Path kubeconfig,
    String leaseNamespace,
    String leaseName,
    Duration leaseDuration,
    WarmPoolConfig warmPool,
    Duration resync,
    Duration cloudResync,
    Duration gcPeriod,
    Duration gcGrace,
    double cloudCallsPerSecond,
    int cloudBurst,
    String metricsAddress,
    Duration subnetCacheTtl) {

  private static final Pattern ENV_REF = Pattern.compile("\\$\\{env:([A-Za-z_][A-Za-z0-9_]*)}");
  private static final Set<String> KEYS =
      Set.of(
          "clusterId",
          "provider",
          "providerSettings",
          "kubeconfig",
          "leaseNamespace",
          "leaseName",
          "leaseDurationSeconds",
          "warmPool",
          "resyncSeconds",
          "cloudResyncSeconds",
          "gcPeriodSeconds",
          "gcGraceSeconds",
          "cloudCallsPerSecond",
          "cloudBurst",
          "metricsAddress",
          "subnetCacheSeconds");
  private static final Set<String> WARM_KEYS =
      Set.of(
          "warmIps",
          "minIps",
          "maxIps",
          "warmEnis",
          "releaseHighWatermark",
          "releaseDelaySeconds",
          "batch");

  public static ControllerConfig load(Path file) throws IOException {
    try {
      return parse(new ObjectMapper().readTree(Files.readString(file)));
    } catch (JacksonException e) {
      throw new IllegalArgumentException(
          "invalid controller config " + file + ": " + e.getOriginalMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "invalid controller config " + file + ": " + e.getMessage(), e);
    }
  }

  public static ControllerConfig parse(JsonNode o) {
    return parse(o, System::getenv);
  }

  /**
   * As {@link #parse(JsonNode)}, with {@code env} resolving providerSettings values of the form
   * {@code ${env:NAME}}: the whole value is replaced by that environment variable's, so secrets
   * (passwords, keys) come from a Secret through the container's environment, not from the config
   * file. An unset variable is refused naming the setting; the value itself is never printed.
   */
  public static ControllerConfig parse(JsonNode o, Function<String, String> env) {
    if (o == null || !o.isObject()) {
      throw new IllegalArgumentException("the config must be a JSON object");
    }
    unknown(o, KEYS, "");
    String cluster = text(o, "clusterId", null);
    if (cluster == null || cluster.isBlank()) {
      throw field("clusterId", "is required (string): it tags every ENI the controller creates");
    }
    Map<String, String> settings = new LinkedHashMap<>();
    JsonNode ps = o.get("providerSettings");
    if (ps != null) {
      if (!ps.isObject()) {
        throw field("providerSettings", "must be an object of strings");
      }
      for (var e : ps.properties()) {
        if (!e.getValue().isString()) {
          throw field("providerSettings." + e.getKey(), "must be a string");
        }
        String value = e.getValue().asString();
        Matcher ref = ENV_REF.matcher(value);
        if (ref.matches()) {
          value = env.apply(ref.group(1));
          if (value == null) {
            throw field(
                "providerSettings." + e.getKey(),
                "environment variable " + ref.group(1) + " is not set");
          }
        }
        settings.put(e.getKey(), value);
      }
    }
    JsonNode w = o.get("warmPool");
    WarmPoolConfig d = WarmPoolConfig.defaults();
    WarmPoolConfig warm = d;
    if (w != null) {
      if (!w.isObject()) {
        throw field("warmPool", "must be an object");
      }
      unknown(w, WARM_KEYS, "warmPool.");
      try {
        warm =
            new WarmPoolConfig(
                integer(w, "warmIps", d.warmIps(), "warmPool."),
                integer(w, "minIps", d.minIps(), "warmPool."),
                integer(w, "maxIps", d.maxIps(), "warmPool."),
                integer(w, "warmEnis", d.warmEnis(), "warmPool."),
                integer(w, "releaseHighWatermark", d.releaseHighWatermark(), "warmPool."),
                Duration.ofSeconds(
                    integer(
                        w, "releaseDelaySeconds", (int) d.releaseDelay().toSeconds(), "warmPool.")),
                integer(w, "batch", d.batch(), "warmPool."));
      } catch (IllegalArgumentException e) {
        throw e.getMessage().startsWith("field") ? e : field("warmPool", e.getMessage());
      }
    }
    double rate = o.has("cloudCallsPerSecond") ? o.get("cloudCallsPerSecond").asDouble() : 10;
    if (!(rate > 0) || rate > 10_000) {
      throw field("cloudCallsPerSecond", "must be a number above 0 and at most 10000");
    }
    return new ControllerConfig(
        cluster,
        text(o, "provider", "openstack"),
        settings,
        o.has("kubeconfig") ? Path.of(text(o, "kubeconfig", null)) : null,
        text(o, "leaseNamespace", "kube-system"),
        text(o, "leaseName", "vpc-cni-controller"),
        Duration.ofSeconds(positive(o, "leaseDurationSeconds", 15)),
        warm,
        Duration.ofSeconds(positive(o, "resyncSeconds", 30)),
        Duration.ofSeconds(positive(o, "cloudResyncSeconds", 300)),
        Duration.ofSeconds(positive(o, "gcPeriodSeconds", 60)),
        Duration.ofSeconds(positive(o, "gcGraceSeconds", 300)),
        rate,
        positive(o, "cloudBurst", 20),
        address(o, "metricsAddress", ":61679"),
        Duration.ofSeconds(positive(o, "subnetCacheSeconds", 60)));
  }

  /** "host:port" or ":port" (all addresses), port 0 to 65535; "" turns the endpoint off. */
  private static String address(JsonNode o, String key, String dflt) {
    String v = text(o, key, dflt);
    if (v.isEmpty()) {
      return v;
    }
    int colon = v.lastIndexOf(':');
    try {
      int port = Integer.parseInt(v.substring(colon + 1));
      if (colon < 0 || port < 0 || port > 65535) {
        throw new NumberFormatException();
      }
    } catch (NumberFormatException e) {
      throw field(key, "must be host:port or :port (port 0 to 65535), or \"\" for none, not " + v);
    }
    return v;
  }

  private static void unknown(JsonNode o, Set<String> known, String prefix) {
    for (String k : o.propertyNames()) {
      if (!known.contains(k)) {
        throw field(
            prefix + k, "unknown key (known: " + String.join(", ", new TreeSet<>(known)) + ")");
      }
    }
  }

  private static String text(JsonNode o, String key, String dflt) {
    JsonNode v = o.get(key);
    if (v == null || v.isNull()) {
      return dflt;
    }
    if (!v.isString()) {
      throw field(key, "must be a string");
    }
    return v.asString();
  }

  private static int integer(JsonNode o, String key, int dflt, String prefix) {
    JsonNode v = o.get(key);
    if (v == null) {
      return dflt;
    }
    if (!v.isIntegralNumber() || v.asLong() < 0 || v.asLong() > 1_000_000) {
      throw field(prefix + key, "must be an integer from 0 to 1000000");
    }
    return v.asInt();
  }

  private static int positive(JsonNode o, String key, int dflt) {
    int v = integer(o, key, dflt, "");
    if (v < 1) {
      throw field(key, "must be at least 1");
    }
    return v;
  }

  private static IllegalArgumentException field(String key, String problem) {
    return new IllegalArgumentException("field \"" + key + "\": " + problem);
  }
}
