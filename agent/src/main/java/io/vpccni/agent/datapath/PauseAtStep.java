package io.vpccni.agent.datapath;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Test hook: when the ADD reaches {@code step}, write {@code marker} and stop (sleep) until the
 * process is killed. Enabled only by the environment variables {@code VPCCNI_TEST_PAUSE_AT} and
 * {@code VPCCNI_TEST_PAUSE_FILE}, which no deployment sets; the agent logs a warning when it is on.
 */
public record PauseAtStep(String step, Path marker) implements Steps {
  public static Steps fromEnv() {
    String step = System.getenv("VPCCNI_TEST_PAUSE_AT");
    String file = System.getenv("VPCCNI_TEST_PAUSE_FILE");
    if (step == null || step.isEmpty() || file == null || file.isEmpty()) {
      return NONE;
    }
    return new PauseAtStep(step, Path.of(file));
  }

  @Override
  public void reached(String s) {
    if (!s.equals(step)) {
      return;
    }
    try {
      Files.writeString(marker, s);
      Thread.sleep(600_000); // bounded: the test kills us long before
    } catch (IOException | InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
