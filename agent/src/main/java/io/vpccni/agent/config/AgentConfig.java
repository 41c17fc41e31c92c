package io.vpccni.agent.config;

import io.vpccni.agentapi.FieldException;
import io.vpccni.agentapi.Json;
import io.vpccni.agentapi.JsonException;
import io.vpccni.agentapi.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The agent's configuration file (JSON). Every key is documented in {@code docs/agent-config.md};
 * unknown keys are refused so that a typo does not silently fall back to a default.
 *
 * @param node this node's name
 * @param socket the unix socket the CNI binary talks to (created 0600, root only)
 * @param stateDir where the crash-safe allocation store lives
 * @param nodeNetns the namespace holding the node's ENIs, or null for the agent's own namespace (a
 *     real node with host networking); the local cluster and tests point it at a node namespace
 * @param mode the datapath
 * @param ipCooldown how long a released IP rests before it is handed out again
 * @param enisFile the static ENI source
 * @param routeTableBase ENI route tables are {@code routeTableBase + deviceIndex}
 * @param mtu pod interface MTU; 0 = the ENI's MTU
 * @param metricsAddress "ip:port" for Prometheus /metrics, "" to disable
 * @param eniSource where the node's ENIs come from: "file" ({@code enisFile}) or "kubernetes" (the
 *     node's NodeENI object, written by the controller)
 * @param kubeconfig kubeconfig file for eniSource "kubernetes", or null for the usual discovery
 *     (KUBECONFIG, ~/.kube/config, in-cluster service account)
 * @param networkPolicy enforce Kubernetes NetworkPolicy with nftables (needs eniSource
 *     "kubernetes"); off by default until the local cluster exercises it end to end
 * @param devicePlugin whether to serve the kubelet device plugin ({@code vpc-cni.io/eni-ip} or
 *     {@code vpc-cni.io/eni})
 * @param devicePluginDir the kubelet's device-plugin directory (holds {@code kubelet.sock})
 * @param snat source NAT of pod traffic leaving the VPC ({@link SnatConfig#OFF} by default)
 * @param fixedIpTtl how long a fixed IP is kept after its pod is deleted when neither the pod nor
 *     its StatefulSet says ({@code vpc-cni.io/fixed-ip-ttl}); docs/fixed-ips.md
 */
public record AgentConfig(
    String node,
    Path socket,
    Path stateDir,
    Path nodeNetns,
    Mode mode,
    Duration ipCooldown,
    Path enisFile,
    int routeTableBase,
    int mtu,
    String metricsAddress,
    String eniSource,
    Path kubeconfig,
    boolean networkPolicy,
    boolean devicePlugin,
    Path devicePluginDir,
    SnatConfig snat,
    Duration fixedIpTtl) {

  public static final Path DEFAULT_SOCKET = Path.of("/run/vpc-cni/agent.sock");
  public static final Duration DEFAULT_COOLDOWN = Duration.ofSeconds(180);
  public static final Duration DEFAULT_FIXED_IP_TTL = Duration.ofHours(1);
  private static final Pattern ENV_REF = Pattern.compile("\\$\\{env:([A-Za-z_][A-Za-z0-9_]*)}");
  public static final Path DEFAULT_DEVICE_PLUGIN_DIR = Path.of("/var/lib/kubelet/device-plugins");
  private static final Set<String> KEYS =
      Set.of(
          "node",
          "socket",
          "stateDir",
          "nodeNetns",
          "mode",
          "ipCooldownSeconds",
          "enisFile",
          "routeTableBase",
          "mtu",
          "metricsAddress",
          "eniSource",
          "kubeconfig",
          "networkPolicy",
          "devicePlugin",
          "devicePluginDir",
          "snat",
          "fixedIpTtlSeconds");

  /** Reads and validates a config file; errors name the file and the field. */
  public static AgentConfig load(Path file) throws IOException {
    String text = Files.readString(file);
    try {
      return parse(Json.parseObject(text));
    } catch (JsonException | FieldException e) {
      throw new IllegalArgumentException("invalid agent config " + file + ": " + e.getMessage(), e);
    }
  }

  public static AgentConfig parse(JsonObject o) {
    return parse(o, System::getenv);
  }

  /**
   * As {@link #parse(JsonObject)}, with {@code env} resolving a {@code node} of the form {@code
   * ${env:NAME}} (the DaemonSet passes the node name as {@code NODE_NAME}, so one ConfigMap serves
   * every node).
   */
  public static AgentConfig parse(JsonObject o, Function<String, String> env) {
    for (String k : o.map().keySet()) {
      if (!KEYS.contains(k)) {
        throw o.invalid(
            k, "unknown key (known: " + String.join(", ", KEYS.stream().sorted().toList()) + ")");
      }
    }
    Mode mode;
    try {
      mode = Mode.parse(o.optString("mode").orElse("shared"));
    } catch (IllegalArgumentException e) {
      throw o.invalid("mode", e.getMessage());
    }
    long cooldown = o.optInteger("ipCooldownSeconds").orElse(DEFAULT_COOLDOWN.toSeconds());
    if (cooldown < 0 || cooldown > 86_400) {
      throw o.invalid("ipCooldownSeconds", "must be between 0 and 86400, not " + cooldown);
    }
    long base = o.optInteger("routeTableBase").orElse(100L);
    if (base < 1 || base > 1_000_000) {
      throw o.invalid("routeTableBase", "must be between 1 and 1000000, not " + base);
    }
    if (base <= 255 && base + 64 >= 253) {
      throw o.invalid(
          "routeTableBase",
          "tables base..base+64 must avoid the kernel's 253-255 (default, main, local)");
    }
    long mtu = o.optInteger("mtu").orElse(0L);
    if (mtu != 0 && (mtu < 576 || mtu > 65_535)) {
      throw o.invalid("mtu", "must be 0 (the ENI's MTU) or between 576 and 65535, not " + mtu);
    }
    String metrics = o.optString("metricsAddress").orElse("127.0.0.1:61678");
    if (!metrics.isEmpty()) {
      int colon = metrics.lastIndexOf(':');
      String host = colon < 0 ? "" : metrics.substring(0, colon);
      String port = colon < 0 ? "" : metrics.substring(colon + 1);
      boolean ok =
          !port.isEmpty()
              && port.length() <= 5
              && port.chars().allMatch(Character::isDigit)
              && Integer.parseInt(port) <= 65535;
      try {
        if (ok && !host.isEmpty()) {
          io.vpccni.netaddr.IpAddress.parse(host.replace("[", "").replace("]", ""));
        }
      } catch (IllegalArgumentException e) {
        ok = false;
      }
      if (!ok) {
        throw o.invalid(
            "metricsAddress",
            "must be \"<ip>:<port>\" (or \"\" to disable), not \"" + metrics + "\"");
      }
    }
    String source = o.optString("eniSource").orElse("file");
    if (!source.equals("file") && !source.equals("kubernetes")) {
      throw o.invalid("eniSource", "must be \"file\" or \"kubernetes\", not \"" + source + "\"");
    }
    if (source.equals("file") && !o.has("enisFile")) {
      throw o.missing("enisFile", "string; required when eniSource is \"file\"");
    }
    boolean policy = o.bool("networkPolicy", false);
    if (policy && !source.equals("kubernetes")) {
      throw o.invalid(
          "networkPolicy", "needs eniSource \"kubernetes\": policies come from the API server");
    }
    if (policy && mode != Mode.SHARED) {
      // Rules live in the node's forward hook; exclusive-ENI and ipvlan pods never cross it, so
      // accepting the key would promise isolation that is not there.
      throw o.invalid(
          "networkPolicy",
          "needs mode \"shared\": in "
              + mode.key()
              + " mode pod traffic does not cross the node's netfilter, so no rule could apply;"
              + " turn networkPolicy off or chain a policy engine that works in the pod");
    }
    boolean devicePlugin = o.bool("devicePlugin", true);
    String pluginDir = o.optString("devicePluginDir").orElse(DEFAULT_DEVICE_PLUGIN_DIR.toString());
    if (!pluginDir.startsWith("/")) {
      throw o.invalid("devicePluginDir", "must be an absolute path, not \"" + pluginDir + "\"");
    }
    SnatConfig snat = o.has("snat") ? SnatConfig.parse(o.object("snat"), mode) : SnatConfig.OFF;
    long fixedTtl = o.optInteger("fixedIpTtlSeconds").orElse(DEFAULT_FIXED_IP_TTL.toSeconds());
    if (fixedTtl < 1 || fixedTtl > io.vpccni.crd.Durations.MAX.toSeconds()) {
      throw o.invalid(
          "fixedIpTtlSeconds", "must be between 1 and 2592000 (30 days), not " + fixedTtl);
    }
    String node = o.string("node");
    Matcher ref = ENV_REF.matcher(node);
    if (ref.matches()) {
      String value = env.apply(ref.group(1));
      if (value == null || value.isBlank()) {
        throw o.invalid("node", "environment variable " + ref.group(1) + " is not set");
      }
      node = value;
    }
    if (node.isBlank()) {
      throw o.invalid("node", "must not be empty");
    }
    return new AgentConfig(
        node,
        Path.of(o.optString("socket").orElse(DEFAULT_SOCKET.toString())),
        Path.of(o.optString("stateDir").orElse("/var/lib/vpc-cni")),
        o.optString("nodeNetns").map(Path::of).orElse(null),
        mode,
        Duration.ofSeconds(cooldown),
        o.optString("enisFile").map(Path::of).orElse(null),
        (int) base,
        (int) mtu,
        metrics,
        source,
        o.optString("kubeconfig").map(Path::of).orElse(null),
        policy,
        devicePlugin,
        Path.of(pluginDir),
        snat,
        Duration.ofSeconds(fixedTtl));
  }
}
