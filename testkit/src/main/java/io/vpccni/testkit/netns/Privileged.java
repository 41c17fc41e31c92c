package io.vpccni.testkit.netns;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/** Assumptions for tests that need root and iproute2; they skip, naming what is missing. */
public final class Privileged {
  private Privileged() {}

  private static volatile String missing;

  /** Skips the test unless the effective uid is 0 and {@code ip} runs. */
  public static void assumeRoot() {
    String m = missing;
    if (m == null) {
      m = check();
      missing = m;
    }
    String reason = m;
    Assumptions.assumeTrue(reason.isEmpty(), () -> "needs root and iproute2: " + reason);
  }

  private static String check() {
    int uid = effectiveUid();
    if (uid != 0) {
      return "running as uid " + uid + ", not 0";
    }
    try {
      Commands.Result r = Commands.exec(Duration.ofSeconds(10), List.of("ip", "-V"));
      return r.ok() ? "" : "`ip -V` failed: " + r.stderr().strip();
    } catch (RuntimeException e) {
      return "iproute2's `ip` is not installed (" + e.getMessage() + ")";
    }
  }

  /** The effective uid, from the second field of the Uid: line of /proc/self/status. */
  static int effectiveUid() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) {
          return Integer.parseInt(line.substring(4).strip().split("\\s+")[1]);
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }
}
