package io.vpccni.testkit.netns;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs test-support subprocesses ({@code ip}, {@code ping}) with a timeout, reading stdout and
 * stderr concurrently so a chatty process cannot block on a full pipe. Test scope only: main code
 * on the pod path never starts processes.
 */
public final class Commands {
  private Commands() {}

  /** The exit code reported when the process was killed for running past its timeout. */
  public static final int TIMED_OUT = -1;

  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  /** The outcome of a finished process. */
  public record Result(List<String> command, int exitCode, String stdout, String stderr) {
    public boolean ok() {
      return exitCode == 0;
    }

    /** stdout, or a {@link CommandException} with stderr if the process failed. */
    public String orThrow() {
      if (exitCode != 0) {
        throw new CommandException(command, exitCode, stdout, stderr);
      }
      return stdout;
    }
  }

  /** Runs {@code command} and returns stdout; throws {@link CommandException} on failure. */
  public static String run(String... command) {
    return exec(DEFAULT_TIMEOUT, List.of(command)).orThrow();
  }

  /**
   * Runs {@code command} with a timeout and returns whatever happened, without throwing on failure.
   */
  public static Result exec(Duration timeout, List<String> command) {
    Process p;
    try {
      p =
          new ProcessBuilder(command)
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + String.join(" ", command), e);
    }
    CompletableFuture<String> out = drain(p.getInputStream());
    CompletableFuture<String> err = drain(p.getErrorStream());
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
        return new Result(command, TIMED_OUT, get(out), get(err));
      }
      return new Result(command, p.exitValue(), get(out), get(err));
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + String.join(" ", command), e);
    }
  }

  private static CompletableFuture<String> drain(InputStream in) {
    CompletableFuture<String> f = new CompletableFuture<>();
    Thread t =
        new Thread(
            () -> {
              try (in) {
                f.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
              } catch (IOException e) {
                f.complete("");
              }
            },
            "testkit-drain");
    t.setDaemon(true);
    t.start();
    return f;
  }

  private static String get(CompletableFuture<String> f) throws InterruptedException {
    try {
      // A grandchild that keeps the pipe open must not hang the test.
      return f.get(5, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      return "";
    }
  }
}
