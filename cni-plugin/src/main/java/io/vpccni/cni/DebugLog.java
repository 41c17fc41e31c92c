package io.vpccni.cni;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Map;

/**
 * The binary's only log: one line per invocation appended to the netconf's {@code logFile}, when
 * set. Never on stdout (that carries the result), and a failure to write is ignored apart from one
 * line on stderr: a debug aid must not fail a pod.
 */
final class DebugLog {
  private DebugLog() {}

  static void append(
      Path file,
      Verb verb,
      CniEnv cniEnv,
      Map<String, String> env,
      int exit,
      CniException failure,
      long nanos) {
    StringBuilder sb = new StringBuilder(256);
    sb.append(Instant.now()).append(" vpc-cni ").append(verb == null ? "-" : verb.name());
    field(sb, "containerId", cniEnv != null ? cniEnv.containerId() : env.get("CNI_CONTAINERID"));
    field(sb, "ifname", cniEnv != null ? cniEnv.ifName() : env.get("CNI_IFNAME"));
    field(sb, "netns", cniEnv != null ? cniEnv.netns() : env.get("CNI_NETNS"));
    if (cniEnv != null) {
      field(sb, "pod", podRef(cniEnv.args()));
    }
    sb.append(" exit=").append(exit);
    if (failure != null) {
      sb.append(" code=").append(failure.code());
      field(sb, "msg", failure.msg());
    }
    sb.append(" ms=")
        .append(nanos / 1_000_000)
        .append('.')
        .append((nanos / 100_000) % 10)
        .append('\n');
    try {
      Files.write(
          file,
          sb.toString().getBytes(StandardCharsets.UTF_8),
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND,
          StandardOpenOption.WRITE);
    } catch (IOException | RuntimeException e) {
      System.err.println("vpc-cni: cannot write logFile " + file + ": " + e.getMessage());
    }
  }

  private static String podRef(Map<String, String> args) {
    String name = args.get("K8S_POD_NAME");
    if (name == null || name.isEmpty()) {
      return null;
    }
    String ns = args.get("K8S_POD_NAMESPACE");
    return ns == null || ns.isEmpty() ? name : ns + "/" + name;
  }

  private static void field(StringBuilder sb, String key, String value) {
    if (value == null || value.isEmpty()) {
      return;
    }
    sb.append(' ').append(key).append('=');
    boolean quote = value.indexOf(' ') >= 0 || value.indexOf('"') >= 0;
    if (quote) {
      sb.append('"').append(Names.printable(value).replace("\"", "\\\"")).append('"');
    } else {
      sb.append(Names.printable(value));
    }
  }
}
