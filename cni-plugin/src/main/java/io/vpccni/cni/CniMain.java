package io.vpccni.cni;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The {@code vpc-cni} executable: runs one {@link CniPlugin} invocation on this process's
 * environment and stdin, prints the reply on stdout and exits with its code. Nothing else is ever
 * written to stdout.
 */
public final class CniMain {
  private CniMain() {}

  public static void main(String[] args) {
    int exit = run(System.getenv(), System.in, System.out);
    if (exit != 0) {
      System.exit(exit);
    }
  }

  /** One invocation against the given streams; returns the exit code. */
  static int run(Map<String, String> env, InputStream in, PrintStream out) {
    CniPlugin.Reply reply = new CniPlugin().execute(env, in);
    byte[] bytes = reply.stdout().getBytes(StandardCharsets.UTF_8);
    out.write(bytes, 0, bytes.length);
    out.flush();
    if (reply.exitCode() == 0 && out.checkError()) {
      return 1; // the runtime did not get the result: do not report success
    }
    return reply.exitCode();
  }
}
