package io.vpccni.e2e.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs one external command to completion with a bounded wait, capturing its output. Every helper
 * process the harness forks (ip, nsenter, ctr, umount) goes through here, so no wait is unbounded:
 * a command still running at its deadline is killed with its descendants.
 */
public final class Command {

  /**
   * What a finished command left behind; {@code exitCode} is -1 when it was killed at its deadline.
   */
  public record Result(List<String> argv, int exitCode, String stdout, String stderr) {

    public boolean ok() {
      return exitCode == 0;
    }

    /**
     * Returns this result when the command succeeded, else throws naming the command and its
     * stderr.
     */
    public Result check() {
      if (!ok()) {
        throw new CommandFailedException(this);
      }
      return this;
    }

    @Override
    public String toString() {
      return String.join(" ", argv)
          + " -> exit "
          + exitCode
          + (stderr.isBlank() ? "" : ": " + stderr.strip())
          + (stdout.isBlank() || ok() ? "" : " (stdout: " + stdout.strip() + ")");
    }
  }

  /** A command that exited non-zero or timed out; the message has the command line and stderr. */
  public static final class CommandFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient Result result;

    CommandFailedException(Result result) {
      super("failed to run " + result);
      this.result = result;
    }

    public Result result() {
      return result;
    }
  }

  /**
   * PATH for every helper, with the sbin directories where ip, runc and umount live even if ours
   * lacks them.
   */
  static final String PATH =
      System.getenv().getOrDefault("PATH", "/usr/bin:/bin") + ":/usr/local/sbin:/usr/sbin:/sbin";

  private Command() {}

  /** A process builder for {@code argv} whose PATH includes the sbin directories. */
  static ProcessBuilder builder(List<String> argv) {
    ProcessBuilder builder = new ProcessBuilder(argv);
    builder.environment().put("PATH", PATH);
    return builder;
  }

  /** Runs {@code argv} and waits at most {@code timeout}; never throws for a non-zero exit. */
  public static Result run(Duration timeout, String... argv) {
    return run(timeout, List.of(argv));
  }

  /** Runs {@code argv} and waits at most {@code timeout}; never throws for a non-zero exit. */
  public static Result run(Duration timeout, List<String> argv) {
    Process process;
    try {
      process = builder(argv).redirectInput(ProcessBuilder.Redirect.from(devNull())).start();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "failed to start " + String.join(" ", argv) + ": " + e.getMessage(), e);
    }
    CompletableFuture<String> out = drain(process.getInputStream());
    CompletableFuture<String> err = drain(process.getErrorStream());
    int exit;
    try {
      if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        exit = process.exitValue();
      } else {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
        exit = -1;
      }
    } catch (InterruptedException e) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + String.join(" ", argv), e);
    }
    String stderr = join(err);
    if (exit == -1) {
      stderr = "timed out after " + timeout.toMillis() + " ms. " + stderr;
    }
    return new Result(List.copyOf(argv), exit, join(out), stderr);
  }

  /** Runs {@code argv}, waits at most {@code timeout} and throws unless it exited 0. */
  public static Result check(Duration timeout, String... argv) {
    return run(timeout, argv).check();
  }

  private static java.io.File devNull() {
    return new java.io.File("/dev/null");
  }

  private static CompletableFuture<String> drain(InputStream in) {
    // A platform daemon thread per stream: the streams block, and a stuck helper must not pin a
    // pool.
    CompletableFuture<String> result = new CompletableFuture<>();
    Thread.ofPlatform()
        .daemon()
        .name("command-output")
        .start(
            () -> {
              try (in) {
                result.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
              } catch (IOException e) {
                result.complete("");
              }
            });
    return result;
  }

  private static String join(CompletableFuture<String> output) {
    try {
      return output.get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      // A grandchild may still hold the pipe open; what was read so far is not worth waiting for.
      return "";
    }
  }
}
