package io.vpccni.testkit.agent;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code vpc-cni-agent} process for tests, started from the test's own classpath with the
 * JDK running the test, its log in {@code workDir/agent-N.log}. {@link #kill9()} sends SIGKILL, as
 * a node crash or OOM kill would; {@link #close()} stops it (SIGTERM, then SIGKILL after 10 s).
 */
public final class AgentProcess implements AutoCloseable {
  private static final String MAIN = "io.vpccni.agent.AgentMain";
  private static int started;

  private final Process process;
  private final Path log;
  private final Path socket;

  private AgentProcess(Process process, Path log, Path socket) {
    this.process = process;
    this.log = log;
    this.socket = socket;
  }

  /**
   * Writes {@code configJson} to {@code workDir/agent.json}, starts the agent and waits (at most 30
   * s) until its socket accepts connections.
   */
  public static AgentProcess start(
      Path workDir, String configJson, Path socket, Map<String, String> env)
      throws IOException, InterruptedException {
    Files.createDirectories(workDir);
    Path config = workDir.resolve("agent.json");
    Files.writeString(config, configJson);
    Path log;
    synchronized (AgentProcess.class) {
      log = workDir.resolve("agent-" + (++started) + ".log");
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("--enable-native-access=ALL-UNNAMED");
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(MAIN);
    cmd.add("--config");
    cmd.add(config.toString());
    ProcessBuilder pb =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(env);
    AgentProcess a = new AgentProcess(pb.start(), log, socket);
    a.awaitReady();
    return a;
  }

  private void awaitReady() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException(
            "agent exited with " + process.exitValue() + " before it was ready; log:\n" + log());
      }
      if (Files.exists(socket)) {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
          ch.connect(UnixDomainSocketAddress.of(socket));
          return;
        } catch (IOException notYet) {
          // keep waiting
        }
      }
      Thread.sleep(20);
    }
    close();
    throw new IOException("agent not ready within 30 s; log:\n" + log());
  }

  public long pid() {
    return process.pid();
  }

  public Path socket() {
    return socket;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** The log so far. */
  public String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** SIGKILL, and wait for the process to be gone. */
  public void kill9() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
