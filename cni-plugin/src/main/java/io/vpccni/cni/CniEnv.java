package io.vpccni.cni;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code CNI_*} environment of one invocation, validated for its verb as spec 1.1.0 §2 says:
 *
 * <ul>
 *   <li>ADD, CHECK: {@code CNI_CONTAINERID}, {@code CNI_NETNS}, {@code CNI_IFNAME} required; {@code
 *       CNI_ARGS}, {@code CNI_PATH} optional.
 *   <li>DEL: {@code CNI_CONTAINERID}, {@code CNI_IFNAME} required; {@code CNI_NETNS} optional and
 *       not checked (the namespace may be gone, and DEL must still release what the agent holds).
 *   <li>STATUS: nothing beyond {@code CNI_COMMAND}. GC: {@code CNI_PATH} required (we delegate to
 *       no plugin and never read it, but the spec lists it as required).
 * </ul>
 *
 * Every error is code 4 and its message names the variable.
 *
 * @param args {@code CNI_ARGS} as ordered key/value pairs (empty for STATUS and GC)
 */
public record CniEnv(
    Verb verb,
    String containerId,
    String netns,
    String ifName,
    Map<String, String> args,
    String path) {

  /** Ours: kubelet sends five short pairs; this bounds what we forward to the agent. */
  static final int MAX_ARGS_LENGTH = 16 << 10;

  static final int MAX_PATH_LENGTH = 4096;

  private static final Path OWN_NETNS = Path.of("/proc/self/ns/net");

  /**
   * Reads and validates the environment for {@code verb}.
   *
   * @throws CniException code 4 naming the variable
   */
  public static CniEnv parse(Verb verb, Map<String, String> env) throws CniException {
    String path = env.getOrDefault("CNI_PATH", "");
    if (!verb.isAttachment()) {
      if (verb == Verb.GC && path.isEmpty()) {
        throw missing("CNI_PATH", "GC");
      }
      return new CniEnv(verb, "", "", "", Map.of(), path);
    }
    String containerId = required(env, "CNI_CONTAINERID", verb);
    String problem = Names.idProblem(containerId);
    if (problem != null) {
      throw invalid("CNI_CONTAINERID", containerId, problem);
    }
    String ifName = required(env, "CNI_IFNAME", verb);
    problem = Names.ifNameProblem(ifName);
    if (problem != null) {
      throw invalid("CNI_IFNAME", ifName, problem);
    }
    String netns = env.getOrDefault("CNI_NETNS", "");
    if (verb != Verb.DEL) {
      if (netns.isEmpty()) {
        throw missing("CNI_NETNS", verb.name());
      }
      checkNetns(netns);
    }
    Map<String, String> args = parseArgs(env.getOrDefault("CNI_ARGS", ""), verb == Verb.DEL);
    return new CniEnv(verb, containerId, netns, ifName, args, path);
  }

  /**
   * Parses {@code CNI_ARGS}: {@code K=V} pairs separated by {@code ;}, each with exactly one {@code
   * =}, a key of letters, digits, {@code _ - .}, a value without control characters, no key twice.
   *
   * <p>On DEL ({@code lenient}) malformed pairs are skipped instead: the extra arguments do not
   * identify the attachment, and a DEL that fails on input its ADD already refused would block the
   * pod's teardown for nothing.
   *
   * @throws CniException code 4 naming {@code CNI_ARGS} and the bad pair
   */
  static Map<String, String> parseArgs(String text, boolean lenient) throws CniException {
    Map<String, String> out = new LinkedHashMap<>();
    if (text.isEmpty()) {
      return out;
    }
    if (text.length() > MAX_ARGS_LENGTH) {
      if (lenient) {
        return out;
      }
      throw new CniException(
          CniException.INVALID_ENVIRONMENT,
          "invalid CNI_ARGS: longer than " + MAX_ARGS_LENGTH + " characters",
          "CNI_ARGS carries a few K=V pairs separated by ';'");
    }
    int start = 0;
    while (start <= text.length()) {
      int end = text.indexOf(';', start);
      if (end < 0) {
        end = text.length();
      }
      String pair = text.substring(start, end);
      String problem = pairProblem(pair, out);
      if (problem == null) {
        int eq = pair.indexOf('=');
        out.put(pair.substring(0, eq), pair.substring(eq + 1));
      } else if (!lenient) {
        throw new CniException(
            CniException.INVALID_ENVIRONMENT,
            "invalid CNI_ARGS pair \"" + Names.printable(pair) + "\": " + problem,
            "CNI_ARGS must be K=V pairs separated by ';', for example"
                + " \"K8S_POD_NAMESPACE=default;K8S_POD_NAME=web-0\"");
      }
      start = end + 1;
    }
    return out;
  }

  private static String pairProblem(String pair, Map<String, String> seen) {
    int eq = pair.indexOf('=');
    if (pair.isEmpty()) {
      return "empty pair";
    }
    if (eq < 0) {
      return "no '='";
    }
    if (pair.indexOf('=', eq + 1) >= 0) {
      return "more than one '='";
    }
    String key = pair.substring(0, eq);
    if (!Names.isArgKey(key)) {
      return "the key must be letters, digits, '_', '-' or '.'";
    }
    if (Names.hasControl(pair)) {
      return "control character in the value";
    }
    if (seen.containsKey(key)) {
      return "key " + key + " given twice";
    }
    return null;
  }

  /**
   * {@code CNI_NETNS} on ADD and CHECK: an absolute path to an existing file that is not the
   * namespace this binary runs in (configuring the host's own namespace as a pod would cut the node
   * off; the agent also checks that it really is a network namespace when it opens it).
   */
  private static void checkNetns(String netns) throws CniException {
    if (netns.charAt(0) != '/') {
      throw invalid("CNI_NETNS", netns, "must be an absolute path");
    }
    if (netns.length() > MAX_PATH_LENGTH) {
      throw invalid("CNI_NETNS", netns, "is longer than " + MAX_PATH_LENGTH + " characters");
    }
    Object key;
    try {
      key = Files.readAttributes(Path.of(netns), BasicFileAttributes.class).fileKey();
    } catch (InvalidPathException | IOException e) {
      throw new CniException(
          CniException.INVALID_ENVIRONMENT,
          "invalid CNI_NETNS \"" + Names.printable(netns) + "\": no such network namespace",
          rule("CNI_NETNS") + "; " + e.getMessage());
    }
    Object own = null;
    try {
      own = Files.readAttributes(OWN_NETNS, BasicFileAttributes.class).fileKey();
    } catch (IOException e) {
      // No procfs: cannot compare; the agent checks again.
    }
    if (key != null && key.equals(own)) {
      throw invalid(
          "CNI_NETNS", netns, "is the network namespace the plugin runs in, not a container's");
    }
  }

  private static String required(Map<String, String> env, String name, Verb verb)
      throws CniException {
    String v = env.get(name);
    if (v == null || v.isEmpty()) {
      throw missing(name, verb.name());
    }
    return v;
  }

  private static CniException missing(String name, String verb) {
    return new CniException(
        CniException.INVALID_ENVIRONMENT,
        "required environment variable " + name + " is missing",
        name + " is required for " + verb + " (CNI spec 1.1.0, section 2)");
  }

  private static CniException invalid(String name, String value, String problem) {
    return new CniException(
        CniException.INVALID_ENVIRONMENT,
        "invalid " + name + " \"" + Names.printable(value) + "\": " + problem,
        rule(name));
  }

  /** The spec's rule for a variable, as the error's details. */
  private static String rule(String name) {
    return switch (name) {
      case "CNI_CONTAINERID" ->
          "a container id starts with a letter or digit, followed by letters, digits, '_', '.'"
              + " or '-' (CNI spec 1.1.0, section 2)";
      case "CNI_IFNAME" ->
          "an interface name is 1 to 15 bytes, not \".\" or \"..\", without '/', ':' or"
              + " whitespace (CNI spec 1.1.0, section 2)";
      case "CNI_NETNS" ->
          "CNI_NETNS is the path of the container's network namespace, such as"
              + " /var/run/netns/cni-1234 or /proc/1234/ns/net";
      default -> "";
    };
  }
}
