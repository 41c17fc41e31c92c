package io.vpccni.emulator.dataplane;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** {@code ip netns add|del}: the stop-gap {@link NamespaceFactory} (see that interface). */
public final class IpNetnsFactory implements NamespaceFactory {
  @Override
  public Path create(String name) {
    run(List.of("ip", "netns", "add", name));
    return Path.of("/run/netns", name);
  }

  @Override
  public void delete(String name) {
    if (Files.exists(Path.of("/run/netns", name))) {
      run(List.of("ip", "netns", "del", name));
    }
  }

  private static void run(List<String> cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("failed to run " + cmd + ": timed out");
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (p.exitValue() != 0) {
        throw new IllegalStateException("failed to run " + cmd + ": " + out);
      }
    } catch (IOException e) {
      throw new IllegalStateException("failed to run " + cmd + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + cmd, e);
    }
  }
}
