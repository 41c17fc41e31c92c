package io.vpccni.cloud.openstack.api;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit extension giving a test class a REAL neutron-server, started once per JVM by {@code
 * scripts/neutron-server.sh} (install if needed, private PostgreSQL, schema, server on loopback)
 * and stopped when the test run ends (root store close) or the JVM exits (shutdown hook), so
 * nothing stays running. Work dir: {@code /tmp/vpccni-neutron-it-<pid>}; port 9696 when free.
 *
 * <p>The class is skipped, with the cause, only when the Debian packages cannot be installed (apt
 * fails, or they are missing and we are not root, or we are not root to run PostgreSQL as its
 * user). Any later failure (schema, server start) fails the tests. Public so that the provider's
 * contract test ({@code io.vpccni.cloud.openstack}) shares the one server.
 */
public final class RealNeutronServer implements AutoCloseable {
  private static final ExtensionContext.Namespace NS =
      ExtensionContext.Namespace.create(RealNeutronServer.class);

  final URI endpoint;
  final Path workDir;
  final Duration startup;
  private final Path script;
  private boolean stopped;

  record Duration(long installMillis, long startMillis) {}

  private RealNeutronServer(URI endpoint, Path workDir, Path script, Duration startup) {
    this.endpoint = endpoint;
    this.workDir = workDir;
    this.script = script;
    this.startup = startup;
  }

  /** The extension: {@code @ExtendWith(RealNeutronServer.Extension.class)}. */
  public static final class Extension implements ExecutionCondition, ParameterResolver {
    // A condition rather than an assumption in beforeAll: surefire reports a disabled class as
    // skipped with the reason, while a class-level assumption shows up as "Tests run: 0".
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
      Outcome o = outcome(context);
      return o.server() != null
          ? ConditionEvaluationResult.enabled("real neutron-server at " + o.server().endpoint)
          : ConditionEvaluationResult.disabled(o.skipReason());
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext c) {
      return p.getParameter().getType() == RealNeutronServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext c) {
      return outcome(c).server();
    }

    private static Outcome outcome(ExtensionContext context) {
      return context
          .getRoot()
          .getStore(NS)
          .computeIfAbsent(Outcome.class, k -> Outcome.start(), Outcome.class);
    }
  }

  /** Started server, or why the packages could not be installed. Closed by JUnit at the end. */
  record Outcome(RealNeutronServer server, String skipReason) implements AutoCloseable {
    static Outcome start() {
      Path script = scriptPath();
      Path work = Path.of("/tmp/vpccni-neutron-it-" + ProcessHandle.current().pid());
      long t0 = System.nanoTime();
      Result install = run(script, work, "install", 900);
      long installMs = (System.nanoTime() - t0) / 1_000_000;
      if (install.exit() != 0) {
        return new Outcome(
            null,
            "the Debian packages for neutron-server cannot be installed here (scripts/neutron-server.sh install exit "
                + install.exit()
                + "): "
                + install.stderr().strip());
      }
      if (!"root".equals(System.getProperty("user.name"))) {
        return new Outcome(
            null,
            "scripts/neutron-server.sh start needs root (it runs PostgreSQL as the postgres user)");
      }
      RealNeutronServer[] holder = new RealNeutronServer[1];
      Thread hook =
          new Thread(
              () -> {
                if (holder[0] != null) holder[0].close();
              },
              "neutron-server-stop");
      Runtime.getRuntime().addShutdownHook(hook);
      long t1 = System.nanoTime();
      Result start = run(script, work, "start", 240);
      long startMs = (System.nanoTime() - t1) / 1_000_000;
      if (start.exit() != 0) {
        run(script, work, "stop", 60);
        throw new IllegalStateException(
            "scripts/neutron-server.sh start failed (exit "
                + start.exit()
                + "): "
                + start.stderr());
      }
      List<String> lines = start.stdout().strip().lines().toList();
      URI endpoint = URI.create(lines.getLast().strip());
      holder[0] = new RealNeutronServer(endpoint, work, script, new Duration(installMs, startMs));
      System.out.printf(
          "real neutron-server at %s (install step %d ms, start %d ms)%n%s%n",
          endpoint, installMs, startMs, start.stderr());
      return new Outcome(holder[0], null);
    }

    @Override
    public void close() {
      if (server != null) {
        server.close();
      }
    }
  }

  /** The Neutron endpoint, e.g. {@code http://127.0.0.1:9696}. */
  public URI endpoint() {
    return endpoint;
  }

  @Override
  public synchronized void close() {
    if (!stopped) {
      stopped = true;
      run(script, workDir, "stop", 60);
    }
  }

  record Result(int exit, String stdout, String stderr) {}

  static Path scriptPath() {
    String explicit = System.getProperty("vpccni.neutron.script");
    if (explicit != null) {
      return Path.of(explicit).toAbsolutePath().normalize();
    }
    return Path.of(System.getProperty("vpccni.root", "..")).resolve("scripts/neutron-server.sh");
  }

  static Result run(Path script, Path work, String verb, int timeoutSeconds) {
    try {
      Path out = Files.createTempFile("neutron-server-" + verb, ".out");
      Path err = Files.createTempFile("neutron-server-" + verb, ".err");
      try {
        ProcessBuilder pb = new ProcessBuilder("bash", script.toString(), verb);
        pb.environment().put("VPCCNI_NEUTRON_DIR", work.toString());
        pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
        // bound even if this JVM is SIGKILLed: the script's watchdog stops everything after 20 min
        pb.environment().put("VPCCNI_NEUTRON_LIFETIME", "1200");
        pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          return new Result(124, "", verb + " timed out after " + timeoutSeconds + " s");
        }
        return new Result(
            p.exitValue(),
            Files.readString(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      return new Result(127, "", e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(130, "", "interrupted");
    }
  }
}
