package io.vpccni.testkit.vpc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a command with a timeout; test and stand-in code only (never on the pod path). */
public final class Cmd {
  private Cmd() {}

  public record Out(int exit, String stdout, String stderr) {}

  public static Out run(List<String> cmd, long timeoutSeconds) {
    try {
      Process p =
          new ProcessBuilder(cmd)
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .start();
      var out = p.getInputStream();
      var err = p.getErrorStream();
      byte[][] bufs = new byte[2][];
      Thread t =
          Thread.ofVirtual()
              .start(
                  () -> {
                    try {
                      bufs[1] = err.readAllBytes();
                    } catch (IOException e) {
                      bufs[1] = new byte[0];
                    }
                  });
      bufs[0] = out.readAllBytes();
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(
            "timed out after " + timeoutSeconds + " s: " + String.join(" ", cmd));
      }
      t.join(5000);
      return new Out(
          p.exitValue(),
          new String(bufs[0], StandardCharsets.UTF_8),
          bufs[1] == null ? "" : new String(bufs[1], StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot run " + String.join(" ", cmd) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: " + String.join(" ", cmd), e);
    }
  }

  /** Runs and returns stdout; throws with stderr on a non-zero exit. */
  public static String ok(String... cmd) {
    Out o = run(List.of(cmd), 30);
    if (o.exit() != 0) {
      throw new IllegalStateException(
          "`" + String.join(" ", cmd) + "` exited " + o.exit() + ": " + o.stderr().strip());
    }
    return o.stdout();
  }

  /** Runs and ignores failure (cleanup). */
  public static void quiet(String... cmd) {
    try {
      run(List.of(cmd), 30);
    } catch (RuntimeException ignored) {
      // cleanup is best effort
    }
  }
}
