package io.vpccni.e2e.runtime;

import io.grpc.StatusRuntimeException;
import io.vpccni.e2e.cri.v1.LinuxPodSandboxConfig;
import io.vpccni.e2e.cri.v1.PodSandboxConfig;
import io.vpccni.e2e.cri.v1.PodSandboxMetadata;
import io.vpccni.e2e.cri.v1.PodSandboxStatusResponse;
import io.vpccni.e2e.cri.v1.RuntimeCondition;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A private containerd with its CRI plugin, for one test run, running inside a dedicated "node"
 * network namespace. Containerd, and so every CNI plugin it executes, sees only that namespace:
 * host-side veths land there, never in the root namespace, and the node namespace has no link to
 * the host's interfaces.
 *
 * <p>Everything the run creates is named from its {@link RunLayout} (root and state directories,
 * socket, node namespace, cgroup parent, image) and released by {@link #close()}, which also runs
 * from a shutdown hook: pod sandboxes are stopped and removed through CRI (so the plugin sees DEL),
 * containerd is stopped, then {@link Teardown} kills leftover processes, unmounts, and deletes the
 * namespace, cgroups and directories. Containerd itself runs under {@code timeout}, so it dies even
 * if this JVM is killed.
 *
 * <pre>{@code
 * try (Containerd containerd = Containerd.start(Containerd.Options.defaults())) {
 *   containerd.installCni(Path.of("/usr/lib/cni"), "10-ptp.conflist", conflist);
 *   PodSandbox a = containerd.runPod("a");
 *   a.exec("ip", "-4", "addr");
 *   containerd.removePod(a);
 * }
 * }</pre>
 */
public final class Containerd implements AutoCloseable {

  /** Label put on every pod sandbox of a run, valued with the run id. */
  public static final String RUN_LABEL = "io.vpccni.e2e/run";

  /** The CRI namespace of every pod sandbox; CNI sees it as K8S_POD_NAMESPACE. */
  public static final String POD_NAMESPACE = "e2e";

  /** Where Debian's containernetworking-plugins live; the source of the loopback plugin. */
  public static final Path REFERENCE_PLUGINS = Path.of("/usr/lib/cni");

  private static final List<String> REQUIRED_COMMANDS =
      List.of("containerd", "runc", "ctr", "nsenter", "ip", "timeout", "umount");

  /**
   * Where the pod's netns path is in containerd's verbose sandbox info: 1.7+ has {@code
   * netNamespacePath}; 1.6 only has it in the OCI spec's namespaces list.
   */
  private static final List<Pattern> NETNS_PATHS =
      List.of(
          Pattern.compile("\"netNamespacePath\"\\s*:\\s*\"([^\"]+)\""),
          Pattern.compile(
              "\\{\"type\"\\s*:\\s*\"network\"\\s*,\\s*\"path\"\\s*:\\s*\"([^\"]+)\"\\}"));

  /**
   * Tunables of a run.
   *
   * @param baseDir parent of the run directory; the socket path must stay under 108 bytes
   * @param startTimeout bound on containerd start, CRI readiness and image import
   * @param criCallTimeout deadline of each CRI call
   * @param maxLifetime containerd is killed by its {@code timeout} wrapper after this, whatever
   *     happens
   * @param logCopyDir where {@link #close()} copies containerd's log as {@code
   *     <runId>-containerd.log}; null for nowhere
   */
  public record Options(
      Path baseDir,
      Duration startTimeout,
      Duration criCallTimeout,
      Duration maxLifetime,
      Path logCopyDir) {

    public static Options defaults() {
      return new Options(
          Path.of("/tmp"),
          Duration.ofSeconds(30),
          Duration.ofSeconds(30),
          Duration.ofMinutes(15),
          null);
    }

    public Options withLogCopyDir(Path dir) {
      return new Options(baseDir, startTimeout, criCallTimeout, maxLifetime, dir);
    }

    public Options withMaxLifetime(Duration lifetime) {
      return new Options(baseDir, startTimeout, criCallTimeout, lifetime, logCopyDir);
    }
  }

  private final RunLayout layout;
  private final Options options;
  private final String sandboxImage;
  private final Set<String> sandboxIds = Collections.synchronizedSet(new LinkedHashSet<>());
  private final Set<Path> podNetns = Collections.synchronizedSet(new LinkedHashSet<>());
  private final Map<String, Duration> timings = Collections.synchronizedMap(new LinkedHashMap<>());
  private final Thread shutdownHook;
  private NetworkNamespace node;
  private Process process;
  private CriClient cri;
  private boolean cniInstalled;
  private boolean closed;

  private Containerd(RunLayout layout, Options options) {
    this.layout = layout;
    this.options = options;
    this.sandboxImage = "localhost/" + layout.runId() + "/pause:latest";
    this.shutdownHook = new Thread(this::closeFromHook, layout.runId() + "-cleanup");
  }

  /**
   * Why containerd cannot run here (not Linux, not root, a command or busybox-static missing), or
   * empty. Computed by looking, without starting anything.
   */
  public static Optional<String> unavailabilityCause() {
    if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) {
      return Optional.of("containerd harness needs Linux");
    }
    if (!isRoot()) {
      return Optional.of("containerd harness needs root (network namespaces, mounts, cgroups)");
    }
    for (String command : REQUIRED_COMMANDS) {
      if (findOnPath(command).isEmpty()) {
        return Optional.of(
            command
                + " not found on PATH (make deps installs containerd, runc, iproute2, util-linux)");
      }
    }
    if (!Files.isExecutable(REFERENCE_PLUGINS.resolve("loopback"))) {
      return Optional.of(
          REFERENCE_PLUGINS.resolve("loopback")
              + " not found: install containernetworking-plugins");
    }
    return OciImage.busyboxUnavailabilityCause(OciImage.DEFAULT_BUSYBOX);
  }

  /**
   * Starts a private containerd in a new node namespace, imports the sandbox image and waits until
   * CRI answers. Releases everything it made if any step fails.
   *
   * @throws RuntimeUnavailableException when this machine cannot run it, or containerd or its CRI
   *     plugin does not come up (the message names the cause and quotes containerd's log)
   */
  public static Containerd start(Options options) {
    unavailabilityCause()
        .ifPresent(
            cause -> {
              throw new RuntimeUnavailableException(cause);
            });
    Teardown.sweepStale(options.baseDir());
    Containerd containerd = new Containerd(RunLayout.create(options.baseDir()), options);
    Runtime.getRuntime().addShutdownHook(containerd.shutdownHook);
    try {
      containerd.boot();
      return containerd;
    } catch (RuntimeException | Error e) {
      try {
        containerd.close();
      } catch (RuntimeException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
  }

  private void boot() {
    long t0 = System.nanoTime();
    try {
      for (Path dir :
          List.of(
              layout.root(),
              layout.state(),
              layout.runcRoot(),
              layout.opt(),
              layout.cniBinDir(),
              layout.cniConfDir(),
              layout.images(),
              layout.scratch())) {
        Files.createDirectories(dir);
      }
      Files.writeString(layout.config(), config());
    } catch (IOException e) {
      throw new UncheckedIOException(
          "failed to prepare " + layout.runDir() + ": " + e.getMessage(), e);
    }
    node = NetworkNamespace.add(layout.nodeNetnsName());

    Path imageTar = layout.images().resolve("pause-oci.tar");
    try {
      OciImage.pause(sandboxImage).writeTo(imageTar);
    } catch (IOException e) {
      throw new UncheckedIOException("failed to write " + imageTar + ": " + e.getMessage(), e);
    }
    lap("prepare", t0);

    long t1 = System.nanoTime();
    List<String> argv =
        List.of(
            "nsenter",
            "--net=" + node.path(),
            "--",
            "timeout",
            "--kill-after=10",
            options.maxLifetime().toSeconds() + "s",
            "containerd",
            "--config",
            layout.config().toString());
    try {
      process =
          Command.builder(argv)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(layout.log().toFile()))
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .start();
    } catch (IOException e) {
      throw new RuntimeUnavailableException("failed to start containerd: " + e.getMessage(), e);
    }
    cri = CriClient.connect(layout.socket(), options.criCallTimeout());
    awaitCri();
    lap("containerd ready", t1);

    long t2 = System.nanoTime();
    OciImage.importInto(layout.socket(), imageTar);
    if (!Poll.until(
        options.startTimeout(),
        Duration.ofMillis(20),
        () -> cri.imageId(sandboxImage).isPresent())) {
      throw new RuntimeUnavailableException(
          "CRI never listed the imported sandbox image " + sandboxImage + logTail());
    }
    lap("image import", t2);
  }

  private void awaitCri() {
    String[] lastError = {"no answer"};
    boolean up =
        Poll.until(
            options.startTimeout(),
            Duration.ofMillis(25),
            () -> {
              if (!process.isAlive()) {
                return true;
              }
              if (!Files.exists(layout.socket())) {
                return false;
              }
              try {
                cri.version();
                return true;
              } catch (StatusRuntimeException e) {
                lastError[0] = e.getStatus().toString();
                return false;
              }
            });
    if (!process.isAlive()) {
      throw new RuntimeUnavailableException(
          "containerd exited with " + process.exitValue() + " at start" + logTail());
    }
    if (!up) {
      throw new RuntimeUnavailableException(
          "containerd's CRI did not answer Version within "
              + options.startTimeout().toSeconds()
              + " s ("
              + lastError[0]
              + ")"
              + logTail());
    }
  }

  /** The containerd configuration: everything under the run directory, CRI tuned for this VM. */
  private String config() {
    String cri = "plugins.\"io.containerd.grpc.v1.cri\"";
    // restrict_oom_score_adj: the sandbox's -998 needs CAP_SYS_RESOURCE, which root lacks on these
    // VMs.
    // netns_mounts_under_state_dir: pod namespaces are bind-mounted under our state dir, not
    // /var/run/netns.
    return """
        version = 2
        root = "%s"
        state = "%s"
        oom_score = 0
        disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
          "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper"]

        [grpc]
          address = "%s"

        [ttrpc]
          address = "%s.ttrpc"

        [plugins]
          [%s]
            sandbox_image = "%s"
            restrict_oom_score_adj = true
            netns_mounts_under_state_dir = true
            stream_server_address = "127.0.0.1"
            stream_server_port = "0"
            [%s.containerd]
              snapshotter = "overlayfs"
              default_runtime_name = "runc"
              [%s.containerd.runtimes.runc]
                runtime_type = "io.containerd.runc.v2"
                [%s.containerd.runtimes.runc.options]
                  Root = "%s"
            [%s.cni]
              bin_dir = "%s"
              conf_dir = "%s"
              max_conf_num = 1
          [plugins."io.containerd.internal.v1.opt"]
            path = "%s"
        """
        .formatted(
            layout.root(),
            layout.state(),
            layout.socket(),
            layout.socket(),
            cri,
            sandboxImage,
            cri,
            cri,
            cri,
            layout.runcRoot(),
            cri,
            layout.cniBinDir(),
            layout.cniConfDir(),
            layout.opt());
  }

  /** How {@link #installCni} puts a plugin directory's entries into the run's bin_dir. */
  public enum PluginInstall {
    /** Symlink each top-level entry (fast; the plugin sees its path under the run's bin_dir). */
    SYMLINK,
    /** Copy the directory tree (for launchers that locate their files next to their own path). */
    COPY
  }

  /** {@link #installCni(Path, String, String, PluginInstall)} with symlinks. */
  public void installCni(Path pluginDir, String conflistFileName, String conflist) {
    installCni(pluginDir, conflistFileName, conflist, PluginInstall.SYMLINK);
  }

  /**
   * Installs a CNI network: puts every entry of {@code pluginDir} into the run's bin_dir (plus the
   * reference {@code loopback}, which containerd's CRI runs for every pod's {@code lo}, unless
   * {@code pluginDir} has its own), writes the conflist into the run's conf_dir, and waits until
   * CRI reports NetworkReady. Once per run: containerd's CRI uses only the first conflist.
   *
   * @param pluginDir a directory of CNI plugin executables, e.g. {@code /usr/lib/cni} or ours
   * @param conflistFileName e.g. {@code 10-vpc-cni.conflist}
   * @param conflist the conflist JSON (cniVersion at most 1.0.0 for containerd 1.6's libcni)
   */
  public synchronized void installCni(
      Path pluginDir, String conflistFileName, String conflist, PluginInstall how) {
    if (cniInstalled) {
      throw new IllegalStateException("a CNI network is already installed in " + layout.runId());
    }
    long t0 = System.nanoTime();
    try {
      Path source = pluginDir.toAbsolutePath();
      if (how == PluginInstall.COPY) {
        copyTree(source, layout.cniBinDir());
      } else {
        try (Stream<Path> entries = Files.list(source)) {
          for (Path entry : entries.toList()) {
            Files.createSymbolicLink(layout.cniBinDir().resolve(entry.getFileName()), entry);
          }
        }
      }
      Path loopback = layout.cniBinDir().resolve("loopback");
      if (!Files.exists(loopback)) {
        Files.createSymbolicLink(loopback, REFERENCE_PLUGINS.resolve("loopback"));
      }
      // Written aside and renamed, so the CRI's conf_dir watcher never reads half a file.
      Path temp = layout.cniConfDir().resolve("." + conflistFileName + ".tmp");
      Files.writeString(temp, conflist, StandardCharsets.UTF_8);
      Files.move(
          temp, layout.cniConfDir().resolve(conflistFileName), StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "failed to install CNI from " + pluginDir + ": " + e.getMessage(), e);
    }
    cniInstalled = true;
    boolean ready =
        Poll.until(
            options.startTimeout(),
            Duration.ofMillis(20),
            () -> {
              RuntimeCondition network = cri.conditions().get("NetworkReady");
              return network != null && network.getStatus();
            });
    if (!ready) {
      throw new IllegalStateException(
          "CRI never reported NetworkReady after installing "
              + conflistFileName
              + ": "
              + cri.conditions().get("NetworkReady")
              + logTail());
    }
    lap("cni install", t0);
  }

  /**
   * Runs a pod sandbox named {@code name} through CRI (containerd creates its namespace and calls
   * CNI ADD) and returns it with the IP and namespace the runtime reports.
   */
  public PodSandbox runPod(String name) {
    PodSandboxConfig config =
        PodSandboxConfig.newBuilder()
            .setMetadata(
                PodSandboxMetadata.newBuilder()
                    .setName(name)
                    .setNamespace(POD_NAMESPACE)
                    .setUid(UUID.randomUUID().toString()))
            .setHostname(name)
            .putLabels(RUN_LABEL, layout.runId())
            .setLinux(LinuxPodSandboxConfig.newBuilder().setCgroupParent(layout.cgroupParent()))
            .build();
    String id = cri.runPodSandbox(config);
    sandboxIds.add(id);
    PodSandboxStatusResponse status = cri.podSandboxStatus(id, true);
    String info = status.getInfoMap().getOrDefault("info", "");
    Path netns =
        NETNS_PATHS.stream()
            .map(p -> p.matcher(info))
            .filter(Matcher::find)
            .map(m -> Path.of(m.group(1)))
            .findFirst()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "PodSandboxStatus of "
                            + name
                            + " names no network namespace in its info: "
                            + info));
    podNetns.add(netns);
    return new PodSandbox(
        id, name, status.getStatus().getNetwork().getIp(), NetworkNamespace.at(netns));
  }

  /** Runs one pod sandbox per name, in order, through the installed CNI network. */
  public List<PodSandbox> runPods(String... names) {
    List<PodSandbox> pods = new ArrayList<>();
    for (String name : names) {
      pods.add(runPod(name));
    }
    return List.copyOf(pods);
  }

  /** Stops (CNI DEL) and removes a pod sandbox, as the kubelet does when a pod is deleted. */
  public void removePod(PodSandbox pod) {
    cri.stopPodSandbox(pod.id());
    cri.removePodSandbox(pod.id());
    sandboxIds.remove(pod.id());
  }

  public String runId() {
    return layout.runId();
  }

  public RunLayout layout() {
    return layout;
  }

  /**
   * The node network namespace containerd and the CNI plugins run in. Start an agent's datapath
   * here ({@code nsenter --net=PATH}) so it sees the host side of every pod.
   */
  public NetworkNamespace nodeNamespace() {
    return node;
  }

  public Path socket() {
    return layout.socket();
  }

  public CriClient cri() {
    return cri;
  }

  public String sandboxImage() {
    return sandboxImage;
  }

  /**
   * A directory of the run's own for the caller (IPAM data, an agent's socket and state); created
   * on demand.
   */
  public Path scratchDir(String name) {
    Path dir = layout.scratch().resolve(name);
    try {
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** How long each start-up phase took, in order. */
  public Map<String, Duration> timings() {
    synchronized (timings) {
      return Collections.unmodifiableMap(new LinkedHashMap<>(timings));
    }
  }

  /** The last lines of containerd's log, for failure messages. */
  public String logTail() {
    try {
      List<String> lines = Files.readAllLines(layout.log());
      return "\n--- containerd log tail ("
          + layout.log()
          + ") ---\n"
          + String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "";
    }
  }

  private void lap(String phase, long startNanos) {
    timings.put(phase, Duration.ofNanos(System.nanoTime() - startNanos));
  }

  /**
   * Stops and removes every pod sandbox through CRI (so the plugin gets DEL), stops containerd,
   * then releases whatever is left. Throws once at the end if anything could not be released.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // close() is running from the hook itself
    }
    List<String> problems = new ArrayList<>();
    if (criAnswers()) {
      removeAllSandboxes(problems);
    }
    if (cri != null) {
      cri.close();
    }
    stopProcess();
    copyLog();
    problems.addAll(Teardown.releaseAll(layout, sandboxIds, podNetns));
    if (!problems.isEmpty()) {
      throw new IllegalStateException(
          "cleanup of " + layout.runId() + " incomplete:\n  " + String.join("\n  ", problems));
    }
  }

  /** Whether containerd is there to stop its sandboxes itself; if it died, Teardown forces them. */
  private boolean criAnswers() {
    if (cri == null || process == null || !process.isAlive()) {
      return false;
    }
    try {
      cri.version();
      return true;
    } catch (StatusRuntimeException e) {
      return false;
    }
  }

  /** The containerd daemon itself (under its nsenter/timeout wrapper), while it runs. */
  Optional<ProcessHandle> daemonProcess() {
    if (process == null) {
      return Optional.empty();
    }
    return process
        .descendants()
        .filter(p -> p.info().command().map(c -> c.endsWith("/containerd")).orElse(false))
        .findFirst();
  }

  private void removeAllSandboxes(List<String> problems) {
    Set<String> ids = new LinkedHashSet<>(sandboxIds);
    try {
      cri.listPodSandbox().forEach(s -> ids.add(s.getId()));
    } catch (StatusRuntimeException e) {
      problems.add("failed to list pod sandboxes: " + e.getStatus());
    }
    for (String id : ids) {
      try {
        cri.stopPodSandbox(id);
        cri.removePodSandbox(id);
      } catch (StatusRuntimeException e) {
        problems.add("failed to stop and remove pod sandbox " + id + ": " + e.getStatus());
      }
    }
  }

  /** SIGTERM through the timeout wrapper (which forwards it), then SIGKILL to the whole tree. */
  private void stopProcess() {
    if (process == null) {
      return;
    }
    List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        tree.addAll(process.descendants().toList());
        tree.forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    tree.forEach(ProcessHandle::destroyForcibly);
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path p : paths.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(
              p, target, StandardCopyOption.COPY_ATTRIBUTES, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  private void copyLog() {
    if (options.logCopyDir() == null || !Files.exists(layout.log())) {
      return;
    }
    try {
      Files.createDirectories(options.logCopyDir());
      Files.copy(
          layout.log(),
          options.logCopyDir().resolve(layout.runId() + "-containerd.log"),
          StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException ignored) {
      // the log copy is a convenience; the cleanup must go on
    }
  }

  private void closeFromHook() {
    try {
      close();
    } catch (RuntimeException e) {
      System.err.println(e.getMessage());
    }
  }

  private static boolean isRoot() {
    try {
      return Files.readAllLines(Path.of("/proc/self/status")).stream()
          .anyMatch(l -> l.startsWith("Uid:") && l.split("\\s+")[1].equals("0"));
    } catch (IOException e) {
      return false;
    }
  }

  static Optional<Path> findOnPath(String command) {
    for (String dir : Command.PATH.split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
        return Optional.of(Path.of(dir, command));
      }
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return "containerd "
        + layout.runId()
        + " (node "
        + (node == null ? "-" : node.name())
        + ", "
        + layout.socket()
        + ")";
  }
}
