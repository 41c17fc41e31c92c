package io.vpccni.cni;

import io.vpccni.agentapi.FieldException;
import io.vpccni.agentapi.JsonObject;
import io.vpccni.netaddr.IpAddress;
import io.vpccni.netaddr.MacAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The network configuration the runtime streams on stdin, validated for one verb. The binary is
 * strict about the spec's required keys, about the well-known keys' types, and about its own keys
 * (below); it ignores keys it does not know, as spec §1 allows, and forwards the whole object to
 * the agent, which applies its own rules to the keys it reads.
 *
 * <p>The binary's own keys, all optional:
 *
 * <ul>
 *   <li>{@code agentSocket} (string): absolute path of the agent's unix socket, at most 107 bytes
 *       (the kernel's {@code sun_path}); default {@value #DEFAULT_AGENT_SOCKET}.
 *   <li>{@code agentTimeoutSeconds} (integer 1..600): how long to wait for the agent's answer;
 *       default 60.
 *   <li>{@code logFile} (string): absolute path of a file that gets one debug line per invocation.
 *   <li>{@code mtu} (integer 68..65535): the pod interface MTU (read by the agent; checked here).
 * </ul>
 *
 * <p>DEL is validated less: only what identifies the attachment ({@code cniVersion}, {@code name},
 * {@code type}) and how to reach the agent. Spec §2 makes DEL best effort, and a runtime always
 * follows a failed ADD with DEL using the same configuration; failing that DEL on a field the ADD
 * already refused would leave the pod stuck in teardown while releasing nothing.
 *
 * <p>{@code prevResult}: vpc-cni creates the pod's interface, so it must be the first plugin of its
 * conflist (ARCHITECTURE.md: portmap, bandwidth, tuning or cilium-cni may follow it). A {@code
 * prevResult} on ADD therefore means a misordered conflist, and is refused with code 7 rather than
 * merged: merging would hand the agent interfaces it did not create. On CHECK it is required (spec:
 * the runtime must send it), must be of the configuration's version (code 1) and is validated; on
 * DEL it is passed to the agent untouched and not checked.
 */
public record NetConf(
    CniVersion version,
    String name,
    String type,
    Path agentSocket,
    Duration agentTimeout,
    Path logFile,
    JsonObject json) {

  public static final String DEFAULT_AGENT_SOCKET = "/run/vpc-cni/agent.sock";
  static final long DEFAULT_TIMEOUT_SECONDS = 60;
  static final long MAX_TIMEOUT_SECONDS = 600;
  static final int MAX_SUN_PATH_BYTES = 107;
  static final int MIN_MTU = 68;
  static final int MAX_MTU = 65535;

  /** The GC key of spec 1.1.0, and the name the spec text used before the fix libcni follows. */
  public static final String VALID_ATTACHMENTS = "cni.dev/valid-attachments";

  public static final String LEGACY_ATTACHMENTS = "cni.dev/attachments";

  /**
   * Validates {@code config} for {@code verb}.
   *
   * @throws CniException code 1 for an unsupported {@code cniVersion} (or a {@code prevResult} of
   *     another version), code 7 naming the field for anything else
   */
  public static NetConf parse(Verb verb, JsonObject config) throws CniException {
    try {
      return parseFields(verb, config);
    } catch (FieldException e) {
      throw invalid(e);
    }
  }

  /** The config's version when it is one we speak, for error results before validation is done. */
  static CniVersion versionOrNull(JsonObject config) {
    Object v = config.raw("cniVersion");
    return v instanceof String s ? CniVersion.find(s) : null;
  }

  /**
   * {@code logFile} when it is set to an absolute path, without throwing: used to log invocations
   * whose configuration did not validate.
   */
  static Path logFileOrNull(JsonObject config) {
    Object v = config.raw("logFile");
    if (v instanceof String s && !s.isEmpty() && s.charAt(0) == '/' && s.indexOf('\0') < 0) {
      return Path.of(s);
    }
    return null;
  }

  private static NetConf parseFields(Verb verb, JsonObject c) throws CniException {
    String versionText = ResultConverter.requiredString(c, "cniVersion", "string");
    CniVersion version = CniVersion.find(versionText);
    if (version == null) {
      throw new CniException(
          CniException.INCOMPATIBLE_VERSION,
          "incompatible CNI version: cniVersion \""
              + Names.printable(versionText)
              + "\" is not supported",
          "vpc-cni supports cniVersion 0.4.0, 1.0.0 and 1.1.0");
    }
    if ((verb == Verb.STATUS || verb == Verb.GC) && !version.atLeast(CniVersion.V1_1_0)) {
      throw new CniException(
          CniException.INCOMPATIBLE_VERSION,
          "incompatible CNI version: "
              + verb
              + " needs cniVersion 1.1.0 or later, not "
              + versionText,
          verb + " was introduced in CNI spec 1.1.0");
    }
    String name = ResultConverter.requiredString(c, "name", "string");
    String problem = Names.idProblem(name);
    if (problem != null) {
      throw c.invalid("name", "\"" + Names.printable(name) + "\" " + problem);
    }
    String type = ResultConverter.requiredString(c, "type", "string");
    if (type.isEmpty() || type.indexOf('/') >= 0 || type.indexOf('\\') >= 0) {
      throw c.invalid("type", "must be a plugin binary name, without '/' or '\\'");
    }
    Path socket = Path.of(absolutePath(c, "agentSocket", DEFAULT_AGENT_SOCKET));
    if (socket.toString().getBytes(StandardCharsets.UTF_8).length > MAX_SUN_PATH_BYTES) {
      throw c.invalid(
          "agentSocket",
          "is longer than the " + MAX_SUN_PATH_BYTES + " bytes a unix socket path may have");
    }
    long timeout =
        intInRange(c, "agentTimeoutSeconds", 1, MAX_TIMEOUT_SECONDS, DEFAULT_TIMEOUT_SECONDS);
    String log = absolutePath(c, "logFile", null);
    Path logFile = log == null ? null : Path.of(log);

    if (verb != Verb.DEL) {
      checkWellKnown(c);
    }
    switch (verb) {
      case ADD -> {
        if (c.has("prevResult")) {
          throw c.invalid(
              "prevResult",
              "vpc-cni creates the pod interface and must be the first plugin of the conflist;"
                  + " move it before the plugin that produced this prevResult");
        }
      }
      case CHECK -> checkPrevResult(c, version);
      case GC -> checkAttachments(c);
      default -> {}
    }
    return new NetConf(version, name, type, socket, Duration.ofSeconds(timeout), logFile, c);
  }

  /** The well-known keys of spec §1 and CONVENTIONS.md that the agent reads, and {@code mtu}. */
  private static void checkWellKnown(JsonObject c) {
    intInRange(c, "mtu", MIN_MTU, MAX_MTU, 0);
    c.bool("ipMasq", false);
    c.optObject("ipam");
    c.optObject("args");
    var dns = c.optObject("dns");
    if (dns.isPresent()) {
      JsonObject d = dns.get();
      List<String> ns = d.strings("nameservers");
      for (int i = 0; i < ns.size(); i++) {
        try {
          IpAddress.parse(ns.get(i));
        } catch (IllegalArgumentException e) {
          throw new FieldException(d.fieldPath("nameservers") + "[" + i + "]", e.getMessage());
        }
      }
      d.optString("domain");
      d.strings("search");
      d.strings("options");
    }
    var rc = c.optObject("runtimeConfig");
    if (rc.isPresent()) {
      JsonObject r = rc.get();
      List<String> ips = r.strings("ips");
      for (int i = 0; i < ips.size(); i++) {
        String ip = ips.get(i);
        String path = r.fieldPath("ips") + "[" + i + "]";
        JsonObject holder = JsonObject.create(); // names the field by its full path
        if (ip.indexOf('/') >= 0) {
          ResultConverter.prefix(holder, path, ip);
        } else {
          ResultConverter.address(holder, path, ip);
        }
      }
      var mac = r.optString("mac");
      if (mac.isPresent()) {
        try {
          MacAddress.parse(mac.get());
        } catch (IllegalArgumentException e) {
          throw r.invalid("mac", e.getMessage());
        }
      }
      var bw = r.optObject("bandwidth");
      if (bw.isPresent()) {
        JsonObject b = bw.get();
        intInRange(b, "ingressRate", 0, Long.MAX_VALUE, 0);
        intInRange(b, "ingressBurst", 0, Long.MAX_VALUE, 0);
        intInRange(b, "egressRate", 0, Long.MAX_VALUE, 0);
        intInRange(b, "egressBurst", 0, Long.MAX_VALUE, 0);
      }
      r.list("portMappings");
    }
  }

  private static void checkPrevResult(JsonObject c, CniVersion version) throws CniException {
    var prev = c.optObject("prevResult");
    if (prev.isEmpty()) {
      throw c.missing("prevResult", "object: the result of the ADD, which CHECK compares against");
    }
    JsonObject p = prev.get();
    var pv = p.optString("cniVersion");
    if (pv.isPresent() && !pv.get().equals(version.text())) {
      throw new CniException(
          CniException.INCOMPATIBLE_VERSION,
          "incompatible CNI version: prevResult.cniVersion is \""
              + Names.printable(pv.get())
              + "\" but the configuration's cniVersion is "
              + version.text(),
          "the runtime must convert its cached result to the configuration's version");
    }
    ResultConverter.validate(p, version);
  }

  /**
   * GC: the list of still-valid attachments. Refused when absent (an absent list would read as
   * "none is valid" and release every pod on the node). libcni sends the list under both the 1.1.0
   * key and the spec's earlier misspelling; when only the old key is there, it is copied to the new
   * one so that the agent reads a single key.
   */
  private static void checkAttachments(JsonObject c) {
    boolean legacy = !c.has(VALID_ATTACHMENTS) && c.has(LEGACY_ATTACHMENTS);
    String key = legacy ? LEGACY_ATTACHMENTS : VALID_ATTACHMENTS;
    if (!c.has(key)) {
      throw c.missing(
          VALID_ATTACHMENTS,
          "array of {containerID, ifname}; without it every attachment would be garbage-collected");
    }
    List<JsonObject> list = c.objects(key);
    for (JsonObject a : list) {
      String id = ResultConverter.requiredString(a, "containerID", "string");
      String problem = Names.idProblem(id);
      if (problem != null) {
        throw a.invalid("containerID", "\"" + Names.printable(id) + "\" " + problem);
      }
      String ifName = ResultConverter.requiredString(a, "ifname", "string");
      problem = Names.ifNameProblem(ifName);
      if (problem != null) {
        throw a.invalid("ifname", "\"" + Names.printable(ifName) + "\" " + problem);
      }
    }
    if (legacy) {
      c.put(VALID_ATTACHMENTS, c.raw(LEGACY_ATTACHMENTS));
    }
  }

  private static String absolutePath(JsonObject c, String key, String dflt) {
    var v = c.optString(key);
    if (v.isEmpty()) {
      return dflt;
    }
    String s = v.get();
    if (s.isEmpty() || s.charAt(0) != '/') {
      throw c.invalid(key, "must be an absolute path, not \"" + Names.printable(s) + "\"");
    }
    if (s.indexOf('\0') >= 0 || s.length() > CniEnv.MAX_PATH_LENGTH) {
      throw c.invalid(key, "is not a usable path");
    }
    return s;
  }

  private static long intInRange(JsonObject c, String key, long min, long max, long dflt) {
    var v = c.optInteger(key);
    if (v.isEmpty()) {
      return dflt;
    }
    long n = v.get();
    if (n < min || n > max) {
      throw c.invalid(key, "must be between " + min + " and " + max + ", not " + n);
    }
    return n;
  }

  private static CniException invalid(FieldException e) {
    return new CniException(
        CniException.INVALID_NETWORK_CONFIG,
        "invalid network config: " + e.getMessage(),
        "field " + e.field() + " of the network configuration on stdin");
  }
}
