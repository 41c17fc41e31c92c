package io.vpccni.testkit.cni;

import static io.vpccni.testkit.cni.JsonText.REMOVE;
import static io.vpccni.testkit.cni.JsonText.obj;
import static io.vpccni.testkit.cni.JsonText.with;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Malformed inputs for the vpc-cni binary, each with the error the CNI spec (1.1.0) requires.
 * Reusable: unit tests run them against a fake agent; namespace tests run them against the real
 * agent and check that links, routes and rules are the same before and after.
 *
 * <p>Every case starts from a valid invocation ({@link #validEnv}, {@link #validConfig}) and breaks
 * one thing. The container id ({@value #CONTAINER_ID}) is one no agent has seen, so even a case
 * that reached the agent by mistake could only find nothing to change.
 */
public final class BadInputCases {
  public static final String CONTAINER_ID = "vpccni-badinput-0001";
  public static final String IFNAME = "eth0";
  public static final String ARGS =
      "IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=bad-input";

  /** The version the valid baseline speaks; STATUS and GC need 1.1.0. */
  public static final String VERSION = "1.0.0";

  /** Largest stdin the binary accepts. */
  public static final int MAX_STDIN = 1 << 20;

  /**
   * Where the cases point.
   *
   * @param agentSocket the agent's socket, written into each configuration's {@code agentSocket}
   * @param netns a network namespace path that is not the caller's own (with a fake agent, any
   *     existing file will do: the binary only checks that it exists)
   * @param regularFile an existing regular file, which is not a network namespace
   */
  public record Setup(String agentSocket, String netns, String regularFile) {}

  private BadInputCases() {}

  /** The environment of a valid invocation of {@code verb}. */
  public static Map<String, String> validEnv(Setup s, String verb) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("CNI_COMMAND", verb);
    env.put("CNI_PATH", "/opt/cni/bin");
    if (verb.equals("ADD") || verb.equals("CHECK") || verb.equals("DEL")) {
      env.put("CNI_CONTAINERID", CONTAINER_ID);
      env.put("CNI_NETNS", s.netns());
      env.put("CNI_IFNAME", IFNAME);
      env.put("CNI_ARGS", ARGS);
    }
    return env;
  }

  /** The stdin of a valid invocation of {@code verb}, as an editable map. */
  public static Map<String, Object> validConfig(Setup s, String verb) {
    Map<String, Object> c =
        CniConfigs.netconf(
            verb.equals("STATUS") || verb.equals("GC") ? "1.1.0" : VERSION, s.agentSocket());
    c.put("mtu", 1500);
    if (verb.equals("CHECK")) {
      c.put("prevResult", CniConfigs.result(VERSION, s.netns(), "10.0.1.5/32"));
    }
    if (verb.equals("GC")) {
      c.put(
          "cni.dev/valid-attachments", List.of(obj("containerID", CONTAINER_ID, "ifname", IFNAME)));
    }
    return c;
  }

  /** All cases, at least 40. */
  public static List<BadInputCase> all(Setup s) {
    List<BadInputCase> l = new ArrayList<>();
    envCases(s, l);
    argsCases(s, l);
    stdinCases(s, l);
    configCases(s, l);
    prevResultCases(s, l);
    statusGcVersionCases(s, l);
    agentCases(s, l);
    return Collections.unmodifiableList(l);
  }

  /** The cases the binary must refuse by itself. */
  public static List<BadInputCase> rejectedBeforeAgent(Setup s) {
    return all(s).stream().filter(BadInputCase::rejectedBeforeAgent).toList();
  }

  // -- CNI_* variables: code 4, naming the variable -------------------------------------------

  private static void envCases(Setup s, List<BadInputCase> l) {
    l.add(env(s, "CNI_COMMAND missing", "ADD", "CNI_COMMAND", null, "CNI_COMMAND"));
    l.add(env(s, "CNI_COMMAND unknown", "ADD", "CNI_COMMAND", "FOO", "CNI_COMMAND"));
    l.add(env(s, "CNI_COMMAND lower case", "ADD", "CNI_COMMAND", "add", "CNI_COMMAND"));
    l.add(env(s, "ADD without CNI_CONTAINERID", "ADD", "CNI_CONTAINERID", null, "CNI_CONTAINERID"));
    l.add(
        env(
            s,
            "CNI_CONTAINERID starts with '-'",
            "ADD",
            "CNI_CONTAINERID",
            "-abc",
            "CNI_CONTAINERID"));
    l.add(
        env(
            s,
            "CNI_CONTAINERID with a path",
            "ADD",
            "CNI_CONTAINERID",
            "../../etc/passwd",
            "CNI_CONTAINERID"));
    l.add(
        env(
            s,
            "CNI_CONTAINERID with a space",
            "ADD",
            "CNI_CONTAINERID",
            "abc def",
            "CNI_CONTAINERID"));
    l.add(
        env(
            s,
            "CNI_CONTAINERID longer than 1024",
            "ADD",
            "CNI_CONTAINERID",
            "a".repeat(1025),
            "CNI_CONTAINERID"));
    l.add(env(s, "DEL without CNI_CONTAINERID", "DEL", "CNI_CONTAINERID", null, "CNI_CONTAINERID"));
    l.add(
        env(
            s,
            "CHECK with an invalid CNI_CONTAINERID",
            "CHECK",
            "CNI_CONTAINERID",
            "a;b",
            "CNI_CONTAINERID"));
    l.add(env(s, "ADD without CNI_NETNS", "ADD", "CNI_NETNS", null, "CNI_NETNS"));
    l.add(env(s, "CHECK without CNI_NETNS", "CHECK", "CNI_NETNS", null, "CNI_NETNS"));
    l.add(env(s, "CNI_NETNS relative", "ADD", "CNI_NETNS", "var/run/netns/x", "CNI_NETNS"));
    l.add(
        env(
            s,
            "CNI_NETNS does not exist",
            "ADD",
            "CNI_NETNS",
            "/nonexistent/vpc-cni-test/netns",
            "CNI_NETNS"));
    l.add(
        env(
            s,
            "CNI_NETNS is the plugin's own namespace",
            "ADD",
            "CNI_NETNS",
            "/proc/self/ns/net",
            "CNI_NETNS"));
    l.add(env(s, "ADD without CNI_IFNAME", "ADD", "CNI_IFNAME", null, "CNI_IFNAME"));
    l.add(env(s, "DEL without CNI_IFNAME", "DEL", "CNI_IFNAME", null, "CNI_IFNAME"));
    l.add(env(s, "CNI_IFNAME of 16 bytes", "ADD", "CNI_IFNAME", "eth0123456789abc", "CNI_IFNAME"));
    l.add(
        env(
            s,
            "CNI_IFNAME of 16 UTF-8 bytes in 9 characters",
            "ADD",
            "CNI_IFNAME",
            "et\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9",
            "CNI_IFNAME"));
    l.add(env(s, "CNI_IFNAME is '.'", "ADD", "CNI_IFNAME", ".", "CNI_IFNAME"));
    l.add(env(s, "CNI_IFNAME is '..'", "ADD", "CNI_IFNAME", "..", "CNI_IFNAME"));
    l.add(env(s, "CNI_IFNAME with '/'", "ADD", "CNI_IFNAME", "eth0/1", "CNI_IFNAME"));
    l.add(env(s, "CNI_IFNAME with ':'", "ADD", "CNI_IFNAME", "eth0:1", "CNI_IFNAME"));
    l.add(env(s, "CNI_IFNAME with a space", "ADD", "CNI_IFNAME", "eth 0", "CNI_IFNAME"));
    l.add(env(s, "CNI_IFNAME with a tab", "CHECK", "CNI_IFNAME", "eth\t0", "CNI_IFNAME"));
    l.add(env(s, "GC without CNI_PATH", "GC", "CNI_PATH", null, "CNI_PATH"));
  }

  private static void argsCases(Setup s, List<BadInputCase> l) {
    l.add(env(s, "CNI_ARGS pair without '='", "ADD", "CNI_ARGS", "IgnoreUnknown", "CNI_ARGS"));
    l.add(env(s, "CNI_ARGS pair with two '='", "ADD", "CNI_ARGS", "A=B=C", "CNI_ARGS"));
    l.add(env(s, "CNI_ARGS empty pair", "ADD", "CNI_ARGS", "A=B;;C=D", "CNI_ARGS"));
    l.add(env(s, "CNI_ARGS trailing ';'", "ADD", "CNI_ARGS", "A=B;", "CNI_ARGS"));
    l.add(
        env(
            s,
            "CNI_ARGS key twice",
            "CHECK",
            "CNI_ARGS",
            "K8S_POD_NAME=a;K8S_POD_NAME=b",
            "CNI_ARGS"));
    l.add(env(s, "CNI_ARGS key with a space", "ADD", "CNI_ARGS", "K8S POD=a", "CNI_ARGS"));
    l.add(
        env(
            s,
            "CNI_ARGS value with a newline",
            "ADD",
            "CNI_ARGS",
            "K8S_POD_NAME=a\nb",
            "CNI_ARGS"));
  }

  // -- stdin: 5 (read), 6 (decode) -------------------------------------------------------------

  private static void stdinCases(Setup s, List<BadInputCase> l) {
    String valid = JsonText.write(validConfig(s, "ADD"));
    l.add(stdin(s, "stdin empty", "ADD", "", 6, "stdin"));
    l.add(
        stdin(
            s,
            "stdin truncated JSON",
            "ADD",
            valid.substring(0, valid.length() - 1),
            6,
            "at offset"));
    l.add(stdin(s, "stdin with text after the object", "ADD", valid + " {}", 6, "at offset"));
    l.add(stdin(s, "stdin a JSON array", "ADD", "[" + valid + "]", 6, "object"));
    l.add(
        stdin(
            s,
            "stdin with a duplicate key",
            "ADD",
            valid.replace("{\"cniVersion\"", "{\"name\":\"a\",\"cniVersion\""),
            6,
            "duplicate key"));
    l.add(stdin(s, "stdin with a comment", "ADD", "/* conf */" + valid, 6, "at offset"));
    l.add(
        stdin(
            s,
            "stdin with a trailing comma",
            "ADD",
            valid.substring(0, valid.length() - 1) + ",}",
            6,
            "at offset"));
    l.add(
        stdin(
            s,
            "stdin nested 100 levels",
            "ADD",
            valid.substring(0, valid.length() - 1)
                + ",\"x\":"
                + "[".repeat(100)
                + "]".repeat(100)
                + "}",
            6,
            "nested"));
    byte[] latin1 =
        valid.replace("\"vpc-test\"", "\"vpc-t\u00e9st\"").getBytes(StandardCharsets.ISO_8859_1);
    l.add(new BadInputCase("stdin not UTF-8", "ADD", validEnv(s, "ADD"), latin1, 6, "UTF-8", true));
    byte[] big = new byte[MAX_STDIN + 1];
    Arrays.fill(big, (byte) ' ');
    byte[] v = valid.getBytes(StandardCharsets.UTF_8);
    System.arraycopy(v, 0, big, 0, v.length);
    l.add(
        new BadInputCase(
            "stdin larger than 1 MiB", "ADD", validEnv(s, "ADD"), big, 5, "stdin", true));
  }

  // -- the network configuration: 1 (version), 7 (invalid), naming the field ------------------

  private static void configCases(Setup s, List<BadInputCase> l) {
    l.add(conf(s, "cniVersion missing", "ADD", "cniVersion", REMOVE, 7, "cniVersion"));
    l.add(conf(s, "cniVersion a number", "ADD", "cniVersion", 1.0, 7, "cniVersion"));
    l.add(conf(s, "cniVersion 0.3.1 unsupported", "ADD", "cniVersion", "0.3.1", 1, "cniVersion"));
    l.add(conf(s, "cniVersion 2.0.0 unsupported", "DEL", "cniVersion", "2.0.0", 1, "cniVersion"));
    l.add(conf(s, "name missing", "ADD", "name", REMOVE, 7, "name"));
    l.add(conf(s, "name with '/'", "DEL", "name", "a/b", 7, "name"));
    l.add(conf(s, "type missing", "ADD", "type", REMOVE, 7, "type"));
    l.add(conf(s, "type with '/'", "ADD", "type", "../vpc-cni", 7, "type"));
    l.add(conf(s, "mtu below 68", "ADD", "mtu", 67, 7, "mtu"));
    l.add(conf(s, "mtu above 65535", "ADD", "mtu", 65536, 7, "mtu"));
    l.add(conf(s, "mtu a string", "ADD", "mtu", "1500", 7, "mtu"));
    l.add(conf(s, "mtu a fraction", "CHECK", "mtu", 1500.5, 7, "mtu"));
    l.add(
        conf(s, "agentSocket relative", "ADD", "agentSocket", "run/agent.sock", 7, "agentSocket"));
    l.add(
        conf(
            s,
            "agentSocket longer than sun_path",
            "DEL",
            "agentSocket",
            "/" + "s".repeat(120),
            7,
            "agentSocket"));
    l.add(conf(s, "agentSocket not a string", "ADD", "agentSocket", 5, 7, "agentSocket"));
    l.add(
        conf(
            s,
            "agentTimeoutSeconds zero",
            "ADD",
            "agentTimeoutSeconds",
            0,
            7,
            "agentTimeoutSeconds"));
    l.add(
        conf(
            s,
            "agentTimeoutSeconds a string",
            "ADD",
            "agentTimeoutSeconds",
            "60",
            7,
            "agentTimeoutSeconds"));
    l.add(conf(s, "logFile relative", "ADD", "logFile", "vpc-cni.log", 7, "logFile"));
    l.add(conf(s, "ipMasq a string", "ADD", "ipMasq", "yes", 7, "ipMasq"));
    l.add(conf(s, "ipam a string", "ADD", "ipam", "host-local", 7, "ipam"));
    l.add(
        conf(
            s,
            "dns.nameservers not an IP",
            "ADD",
            "dns",
            obj("nameservers", List.of("dns.example")),
            7,
            "dns.nameservers[0]"));
    l.add(conf(s, "runtimeConfig an array", "ADD", "runtimeConfig", List.of(), 7, "runtimeConfig"));
    l.add(
        conf(
            s,
            "runtimeConfig.ips not an IP",
            "ADD",
            "runtimeConfig",
            obj("ips", List.of("10.0.0.300")),
            7,
            "runtimeConfig.ips[0]"));
    l.add(
        conf(
            s,
            "runtimeConfig.mac malformed",
            "ADD",
            "runtimeConfig",
            obj("mac", "02:00:zz:00:00:01"),
            7,
            "runtimeConfig.mac"));
    l.add(
        conf(
            s,
            "runtimeConfig.bandwidth negative",
            "ADD",
            "runtimeConfig",
            obj("bandwidth", obj("ingressRate", -1)),
            7,
            "runtimeConfig.bandwidth.ingressRate"));
    l.add(conf(s, "args not an object", "ADD", "args", "K8S_POD_NAME=x", 7, "args"));
  }

  private static void prevResultCases(Setup s, List<BadInputCase> l) {
    Object prev = CniConfigs.result(VERSION, s.netns(), "10.0.1.5/32");
    l.add(
        conf(
            s,
            "prevResult on ADD (vpc-cni must be first in the chain)",
            "ADD",
            "prevResult",
            prev,
            7,
            "prevResult"));
    l.add(conf(s, "CHECK without prevResult", "CHECK", "prevResult", REMOVE, 7, "prevResult"));
    l.add(
        conf(
            s,
            "CHECK with a prevResult of another version",
            "CHECK",
            "prevResult",
            CniConfigs.result("0.4.0", s.netns(), "10.0.1.5/32"),
            1,
            "prevResult.cniVersion"));
    l.add(
        conf(s, "CHECK prevResult not an object", "CHECK", "prevResult", "none", 7, "prevResult"));
    l.add(
        conf(
            s,
            "CHECK prevResult with a bad address",
            "CHECK",
            "prevResult",
            CniConfigs.result(VERSION, s.netns(), "10.0.1.5"),
            7,
            "prevResult.ips[0].address"));
    Map<String, Object> badIndex = CniConfigs.result(VERSION, s.netns(), "10.0.1.5/32");
    badIndex.put("ips", List.of(obj("interface", 3, "address", "10.0.1.5/32")));
    l.add(
        conf(
            s,
            "CHECK prevResult with an interface index out of range",
            "CHECK",
            "prevResult",
            badIndex,
            7,
            "prevResult.ips[0].interface"));
    Map<String, Object> noVersion = CniConfigs.result("0.4.0", s.netns(), "10.0.1.5/32");
    noVersion.put("ips", List.of(obj("interface", 0, "address", "10.0.1.5/32")));
    Map<String, Object> conf040 =
        with(with(validConfig(s, "CHECK"), "cniVersion", "0.4.0"), "prevResult", noVersion);
    l.add(
        new BadInputCase(
            "CHECK 0.4.0 prevResult without ips[].version",
            "CHECK",
            validEnv(s, "CHECK"),
            bytes(conf040),
            7,
            "prevResult.ips[0].version",
            true));
  }

  private static void statusGcVersionCases(Setup s, List<BadInputCase> l) {
    l.add(conf(s, "STATUS at cniVersion 1.0.0", "STATUS", "cniVersion", "1.0.0", 1, "cniVersion"));
    l.add(conf(s, "GC at cniVersion 1.0.0", "GC", "cniVersion", "1.0.0", 1, "cniVersion"));
    l.add(
        conf(
            s,
            "GC without cni.dev/valid-attachments",
            "GC",
            "cni.dev/valid-attachments",
            REMOVE,
            7,
            "cni.dev/valid-attachments"));
    l.add(
        conf(
            s,
            "GC with cni.dev/valid-attachments not an array",
            "GC",
            "cni.dev/valid-attachments",
            obj("containerID", CONTAINER_ID),
            7,
            "cni.dev/valid-attachments"));
    l.add(
        conf(
            s,
            "GC attachment with a bad containerID",
            "GC",
            "cni.dev/valid-attachments",
            List.of(obj("containerID", "-x", "ifname", IFNAME)),
            7,
            "cni.dev/valid-attachments[0].containerID"));
    l.add(
        conf(
            s,
            "GC attachment without ifname",
            "GC",
            "cni.dev/valid-attachments",
            List.of(obj("containerID", CONTAINER_ID)),
            7,
            "cni.dev/valid-attachments[0].ifname"));
    Map<String, String> version = validEnv(s, "VERSION");
    l.add(
        new BadInputCase(
            "VERSION with bad JSON",
            "VERSION",
            version,
            bytes("{\"cniVersion\":"),
            6,
            "at offset",
            true));
    l.add(
        new BadInputCase(
            "VERSION with a malformed cniVersion",
            "VERSION",
            version,
            bytes("{\"cniVersion\":\"one\"}"),
            6,
            "cniVersion",
            true));
  }

  /** Well-formed for the binary; the agent must refuse them, changing nothing. */
  private static void agentCases(Setup s, List<BadInputCase> l) {
    Map<String, String> env = validEnv(s, "ADD");
    env.put("CNI_NETNS", s.regularFile());
    l.add(
        new BadInputCase(
            "CNI_NETNS is a regular file, not a network namespace",
            "ADD",
            env,
            bytes(validConfig(s, "ADD")),
            4,
            "CNI_NETNS",
            false));
  }

  // -- helpers ------------------------------------------------------------------------------

  /** A case with one environment variable changed ({@code value} null: removed). */
  private static BadInputCase env(
      Setup s, String name, String verb, String var, String value, String substring) {
    Map<String, String> env = validEnv(s, verb);
    if (value == null) {
      env.remove(var);
    } else {
      env.put(var, value);
    }
    return new BadInputCase(name, verb, env, bytes(validConfig(s, verb)), 4, substring, true);
  }

  private static BadInputCase stdin(
      Setup s, String name, String verb, String stdin, int code, String substring) {
    return new BadInputCase(name, verb, validEnv(s, verb), bytes(stdin), code, substring, true);
  }

  /** A case with one configuration key changed ({@link JsonText#REMOVE}: removed). */
  private static BadInputCase conf(
      Setup s, String name, String verb, String key, Object value, int code, String substring) {
    return new BadInputCase(
        name,
        verb,
        validEnv(s, verb),
        bytes(with(validConfig(s, verb), key, value)),
        code,
        substring,
        true);
  }

  private static byte[] bytes(Object json) {
    String text = json instanceof String str ? str : JsonText.write(json);
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
