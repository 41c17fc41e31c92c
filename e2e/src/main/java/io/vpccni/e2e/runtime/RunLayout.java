package io.vpccni.e2e.runtime;

import java.nio.file.Path;
import java.util.HexFormat;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Every name and path one harness run owns, all derived from its run id so that a later run can
 * find and remove what a crashed one left ({@link Teardown#sweepStale}). The run id is {@code
 * vce2e-<jvm pid>-<random>}: the pid tells whether the owner is still alive.
 *
 * @param runId unique per run, e.g. {@code vce2e-4242-9f3a}
 * @param runDir the run's private directory; the containerd socket lives in it, so keep it short
 */
public record RunLayout(String runId, Path runDir) {

  /** Every per-run name (netns, directory, cgroup) starts with this and a dash. */
  public static final String PREFIX = "vce2e";

  static RunLayout create(Path baseDir) {
    String random = HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt());
    String runId = PREFIX + "-" + ProcessHandle.current().pid() + "-" + random;
    return new RunLayout(runId, baseDir.resolve(runId));
  }

  /** The pid of the JVM that owns run {@code runId}, if the id has the harness's form. */
  static OptionalLong ownerPid(String runId) {
    String[] parts = runId.split("-");
    if (parts.length < 3 || !parts[0].equals(PREFIX)) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseLong(parts[1]));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  /** The node network namespace's name under /run/netns. */
  public String nodeNetnsName() {
    return runId + "-node";
  }

  public Path socket() {
    return runDir.resolve("containerd.sock");
  }

  public Path config() {
    return runDir.resolve("containerd.toml");
  }

  public Path log() {
    return runDir.resolve("containerd.log");
  }

  public Path root() {
    return runDir.resolve("root");
  }

  public Path state() {
    return runDir.resolve("state");
  }

  public Path runcRoot() {
    return runDir.resolve("runc");
  }

  public Path opt() {
    return runDir.resolve("opt");
  }

  public Path cniBinDir() {
    return runDir.resolve("cni/bin");
  }

  public Path cniConfDir() {
    return runDir.resolve("cni/net.d");
  }

  public Path images() {
    return runDir.resolve("images");
  }

  /** Scratch space handed to callers (IPAM data dirs, an agent's socket and state). */
  public Path scratch() {
    return runDir.resolve("scratch");
  }

  /** The cgroupfs parent of every pod sandbox, in each hierarchy: {@code /<runId>}. */
  public String cgroupParent() {
    return "/" + runId;
  }
}
