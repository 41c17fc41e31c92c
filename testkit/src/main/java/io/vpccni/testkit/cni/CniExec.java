package io.vpccni.testkit.cni;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

/**
 * Runs a CNI plugin binary the way a runtime does (spec §2): {@code CNI_*} variables in an
 * otherwise clean environment, the network configuration on stdin, the result or error on stdout.
 * Returns the exit code, both outputs and the wall time of the exec (from start to exit, with both
 * output streams drained).
 *
 * <p>By default it runs {@code ${vpccni.root}/dist/cni/vpc-cni}, the launcher {@code make build}
 * lays out ({@code vpccni.root} is set by surefire to the repository root).
 */
public final class CniExec {
  /** The PATH the binary sees; runtimes pass their own, and the launcher needs none. */
  public static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  private final Path binary;
  private final Duration timeout;

  private CniExec(Path binary, Duration timeout) {
    this.binary = binary;
    this.timeout = timeout;
  }

  /** The harness for the built CNI launcher; fails when it has not been built. */
  public static CniExec dist() {
    Path p = distBinary();
    if (!Files.isExecutable(p)) {
      throw new IllegalStateException(p + " is missing: run make build first");
    }
    return new CniExec(p, Duration.ofSeconds(30));
  }

  /** Where {@code make build} puts the CNI launcher (it may not be there yet). */
  public static Path distBinary() {
    return root().resolve("dist/cni/vpc-cni");
  }

  /** The repository root: system property {@code vpccni.root}, else the working directory. */
  public static Path root() {
    String r = System.getProperty("vpccni.root");
    return Path.of(r == null || r.isEmpty() ? "." : r).toAbsolutePath().normalize();
  }

  /** The harness for any CNI plugin executable (the reference plugins too). */
  public static CniExec of(Path binary) {
    return new CniExec(binary, Duration.ofSeconds(30));
  }

  public CniExec withTimeout(Duration t) {
    return new CniExec(binary, t);
  }

  public Path binary() {
    return binary;
  }

  /** What one execution produced. */
  public record Result(
      int exitCode, String stdout, String stderr, Duration wall, boolean timedOut) {
    /** The {@code code} of an error result on stdout, if it is one. */
    public OptionalInt code() {
      String v = field("code");
      if (v == null) {
        return OptionalInt.empty();
      }
      try {
        return OptionalInt.of(Integer.parseInt(v));
      } catch (NumberFormatException e) {
        return OptionalInt.empty();
      }
    }

    /** The {@code msg} of an error result on stdout, or null. */
    public String msg() {
      return field("msg");
    }

    /** The {@code details} of an error result on stdout, or null. */
    public String details() {
      return field("details");
    }

    /**
     * A top-level scalar of the JSON object on stdout (string unescaped, number as text), or null.
     * A small scanner, enough for the flat error object of spec §5; parse results with a real
     * codec.
     */
    public String field(String name) {
      return TopLevelFields.find(stdout, name);
    }

    @Override
    public String toString() {
      return "exit "
          + exitCode
          + (timedOut ? " (timed out)" : "")
          + " in "
          + wall.toMillis()
          + " ms"
          + "\nstdout: "
          + stdout
          + "\nstderr: "
          + stderr;
    }
  }

  /** Runs with {@code env} (the whole environment besides PATH) and {@code stdin}. */
  public Result run(Map<String, String> env, String stdin) {
    return run(env, stdin.getBytes(StandardCharsets.UTF_8));
  }

  public Result run(Map<String, String> env, byte[] stdin) {
    ProcessBuilder pb = new ProcessBuilder(binary.toString());
    Map<String, String> e = pb.environment();
    e.clear();
    e.put("PATH", PATH);
    e.putAll(env);
    long start = System.nanoTime();
    Process p;
    try {
      p = pb.start();
    } catch (IOException ex) {
      throw new UncheckedIOException("cannot run " + binary, ex);
    }
    Drain out = new Drain(p.getInputStream());
    Drain err = new Drain(p.getErrorStream());
    Thread feeder = Thread.ofPlatform().daemon().start(() -> feed(p.getOutputStream(), stdin));
    boolean done;
    try {
      done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (!done) {
        p.destroyForcibly().waitFor();
      }
      out.thread.join();
      err.thread.join();
      feeder.join(1000);
    } catch (InterruptedException ex) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + binary, ex);
    }
    Duration wall = Duration.ofNanos(System.nanoTime() - start);
    return new Result(p.exitValue(), out.text(), err.text(), wall, !done);
  }

  /** Writes stdin and closes it; a plugin that exits before reading all of it is fine. */
  private static void feed(OutputStream in, byte[] data) {
    try (in) {
      in.write(data);
    } catch (IOException e) {
      // broken pipe: the plugin stopped reading (e.g. it refused oversized input)
    }
  }

  private static final class Drain {
    final ByteArrayOutputStream buf = new ByteArrayOutputStream();
    final Thread thread;

    Drain(InputStream in) {
      thread =
          Thread.ofPlatform()
              .daemon()
              .start(
                  () -> {
                    try (in) {
                      in.transferTo(buf);
                    } catch (IOException e) {
                      // process gone
                    }
                  });
    }

    String text() {
      return buf.toString(StandardCharsets.UTF_8);
    }
  }
}
