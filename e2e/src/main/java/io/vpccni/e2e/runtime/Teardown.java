package io.vpccni.e2e.runtime;

import io.vpccni.netlink.Netns;
import io.vpccni.netlink.NetnsGoneException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Releases everything one run owns, whether or not containerd is still alive: processes, mounts,
 * the node namespace, cgroups, libcni cache entries and the run directory. Every step is attempted
 * even when an earlier one failed, and each is idempotent, so the same code serves a normal {@link
 * Containerd#close}, the shutdown hook, and {@link #sweepStale} for runs whose JVM died.
 * Containerd's own graceful path (CRI StopPodSandbox/RemovePodSandbox, so the CNI plugin sees DEL)
 * runs before this, in {@link Containerd#close}.
 */
final class Teardown {

  private static final Duration KILL_WAIT = Duration.ofSeconds(5);
  private static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");
  private static final Path NETNS_DIR = Path.of("/run/netns");

  /**
   * libcni's result cache; containerd 1.6 does not let us move it, so entries are removed by
   * sandbox id.
   */
  private static final Path CNI_RESULTS = Path.of("/var/lib/cni/results");

  private Teardown() {}

  /**
   * Releases the run's resources and returns what could not be released (empty when clean).
   *
   * @param sandboxIds sandbox ids the run created (more are found under containerd's dirs)
   * @param podNetns pod namespace files the run saw (more are found among the run's mounts)
   */
  static List<String> releaseAll(
      RunLayout layout, Collection<String> sandboxIds, Collection<Path> podNetns) {
    List<String> problems = new ArrayList<>();
    Set<Path> netnsFiles = new LinkedHashSet<>(podNetns);
    netnsFiles.addAll(nsfsMountsUnder(layout.runDir()));
    step(problems, "kill the run's processes", () -> killProcesses(layout, netnsFiles));
    step(problems, "unmount the run's mounts", () -> unmountAll(layout.runDir(), podNetns));
    step(problems, "delete the node namespace", () -> deleteNodeNamespace(layout));
    step(problems, "remove the run's cgroups", () -> removeCgroups(layout));
    step(problems, "remove libcni cache entries", () -> removeCniResults(layout, sandboxIds));
    step(problems, "delete " + layout.runDir(), () -> deleteRunDir(layout.runDir()));
    return problems;
  }

  /**
   * Releases what runs of dead JVMs left under {@code baseDir} and /run/netns; returns the run ids
   * it swept. Runs of live JVMs (this one included) are left alone.
   */
  static List<String> sweepStale(Path baseDir) {
    Set<String> runIds = new LinkedHashSet<>();
    runIds.addAll(
        namesWithPrefix(NETNS_DIR).stream().map(n -> n.replaceFirst("-node$", "")).toList());
    runIds.addAll(namesWithPrefix(baseDir));
    List<String> swept = new ArrayList<>();
    for (String runId : runIds) {
      var pid = RunLayout.ownerPid(runId);
      if (pid.isEmpty()
          || ProcessHandle.of(pid.getAsLong()).map(ProcessHandle::isAlive).orElse(false)) {
        continue;
      }
      RunLayout layout = new RunLayout(runId, baseDir.resolve(runId));
      releaseAll(layout, sandboxIdsOnDisk(layout), List.of());
      swept.add(runId);
    }
    return swept;
  }

  private static List<String> namesWithPrefix(Path dir) {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries
          .map(p -> p.getFileName().toString())
          .filter(n -> n.startsWith(RunLayout.PREFIX + "-"))
          .toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  private static void step(List<String> problems, String what, Runnable action) {
    try {
      action.run();
    } catch (RuntimeException e) {
      problems.add("failed to " + what + ": " + e.getMessage());
    }
  }

  /**
   * SIGKILLs every process of the run: any whose command line names the run directory (containerd,
   * its timeout wrapper, the shims), any in one of the run's network namespaces, and any in the
   * run's cgroups (the sandbox containers).
   */
  private static void killProcesses(RunLayout layout, Set<Path> podNetns) {
    // Only paths still bind-mounted from nsfs name a namespace; a bare leftover file's inode is an
    // ext4 one.
    Set<Path> nsfs =
        new HashSet<>(
            mounts().stream()
                .filter(m -> m.fsType().equals("nsfs"))
                .map(Mount::mountPoint)
                .toList());
    Set<Long> inodes = new HashSet<>();
    Stream.concat(Stream.of(NETNS_DIR.resolve(layout.nodeNetnsName())), podNetns.stream())
        .filter(nsfs::contains)
        .forEach(ns -> NetworkNamespace.inodeOf(ns).ifPresent(inodes::add));
    String marker = layout.runDir() + "/";
    long self = ProcessHandle.current().pid();
    for (int round = 0; round < 3; round++) {
      Set<Long> victims = new LinkedHashSet<>(cgroupPids(layout));
      try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
        procs
            .map(p -> p.getFileName().toString())
            .filter(n -> n.chars().allMatch(Character::isDigit))
            .map(Long::parseLong)
            .filter(pid -> cmdline(pid).contains(marker) || inodes.contains(netInode(pid)))
            .forEach(victims::add);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      victims.remove(self);
      if (victims.isEmpty()) {
        return;
      }
      List<ProcessHandle> handles =
          victims.stream().map(ProcessHandle::of).flatMap(java.util.Optional::stream).toList();
      handles.forEach(ProcessHandle::destroyForcibly);
      Poll.until(
          KILL_WAIT,
          Duration.ofMillis(20),
          () -> handles.stream().noneMatch(ProcessHandle::isAlive));
    }
    throw new IllegalStateException(
        "processes of " + layout.runId() + " survived three rounds of SIGKILL");
  }

  private static String cmdline(long pid) {
    try {
      return new String(
              Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")),
              StandardCharsets.UTF_8)
          .replace('\0', ' ');
    } catch (IOException e) {
      return "";
    }
  }

  private static long netInode(long pid) {
    try {
      String link =
          Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "ns", "net")).toString();
      return Long.parseLong(link.substring(link.indexOf('[') + 1, link.indexOf(']')));
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  private static Set<Long> cgroupPids(RunLayout layout) {
    Set<Long> pids = new HashSet<>();
    for (Path group : runCgroups(layout)) {
      try (Stream<Path> files = Files.walk(group)) {
        files
            .filter(p -> p.getFileName().toString().equals("cgroup.procs"))
            .forEach(
                procs -> {
                  try {
                    for (String line : Files.readAllLines(procs)) {
                      if (!line.isBlank()) {
                        pids.add(Long.parseLong(line.strip()));
                      }
                    }
                  } catch (IOException | NumberFormatException ignored) {
                    // the cgroup went away while we looked
                  }
                });
      } catch (IOException | UncheckedIOException ignored) {
        // likewise
      }
    }
    return pids;
  }

  /** {@code /sys/fs/cgroup/<hierarchy>/<runId>} in every hierarchy that has it (v1 and v2). */
  private static List<Path> runCgroups(RunLayout layout) {
    List<Path> groups = new ArrayList<>();
    Path unified = CGROUP_ROOT.resolve(layout.runId());
    if (Files.isDirectory(unified)) {
      groups.add(unified);
    }
    try (Stream<Path> hierarchies = Files.list(CGROUP_ROOT)) {
      hierarchies
          .map(h -> h.resolve(layout.runId()))
          .filter(Files::isDirectory)
          .forEach(groups::add);
    } catch (IOException ignored) {
      // no cgroupfs: nothing to clean
    }
    return groups;
  }

  private static void removeCgroups(RunLayout layout) {
    List<String> stuck = new ArrayList<>();
    for (Path group : runCgroups(layout)) {
      removeCgroupTree(group, stuck);
    }
    if (!stuck.isEmpty()) {
      throw new IllegalStateException("cgroups not removed: " + stuck);
    }
  }

  /** rmdir bottom-up; a cgroup directory's control files vanish with it. */
  private static void removeCgroupTree(Path group, List<String> stuck) {
    try (Stream<Path> children = Files.list(group)) {
      for (Path child : children.filter(Files::isDirectory).toList()) {
        removeCgroupTree(child, stuck);
      }
      Files.deleteIfExists(group);
    } catch (IOException e) {
      stuck.add(group + " (" + e.getMessage() + ")");
    }
  }

  record Mount(Path mountPoint, String fsType) {}

  /**
   * The mount table of this process's mount namespace (the host's: the harness never unshares it).
   */
  static List<Mount> mounts() {
    try {
      List<Mount> mounts = new ArrayList<>();
      for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
        String[] fields = line.split(" ");
        int dash = List.of(fields).indexOf("-");
        if (fields.length > 4 && dash > 0 && dash + 1 < fields.length) {
          mounts.add(new Mount(Path.of(unescape(fields[4])), fields[dash + 1]));
        }
      }
      return mounts;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** mountinfo escapes space, tab, newline and backslash as \ooo. */
  private static String unescape(String field) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < field.length(); i++) {
      char c = field.charAt(i);
      if (c == '\\' && i + 3 < field.length()) {
        s.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        s.append(c);
      }
    }
    return s.toString();
  }

  static List<Path> mountPointsUnder(Path dir) {
    return mounts().stream()
        .map(Mount::mountPoint)
        .filter(m -> m.startsWith(dir))
        .distinct()
        .toList();
  }

  private static List<Path> nsfsMountsUnder(Path dir) {
    return mounts().stream()
        .filter(m -> m.fsType().equals("nsfs") && m.mountPoint().startsWith(dir))
        .map(Mount::mountPoint)
        .distinct()
        .toList();
  }

  /** Lazily unmounts everything under {@code dir}, deepest first, and the given namespace files. */
  private static void unmountAll(Path dir, Collection<Path> podNetns) {
    List<String> failures = new ArrayList<>();
    for (int round = 0; round < 3; round++) {
      Set<Path> targets = new LinkedHashSet<>(mountPointsUnder(dir));
      Set<Path> mounted = new HashSet<>(mounts().stream().map(Mount::mountPoint).toList());
      podNetns.stream().filter(mounted::contains).forEach(targets::add);
      if (targets.isEmpty()) {
        break;
      }
      failures.clear();
      targets.stream()
          .sorted(Comparator.comparingInt(Path::getNameCount).reversed())
          .forEach(
              m -> {
                var result =
                    Command.run(NetworkNamespace.COMMAND_TIMEOUT, "umount", "-l", m.toString());
                if (!result.ok()) {
                  failures.add(result.toString());
                }
              });
    }
    // Pod namespace files outside the run dir (containerd's /var/run/netns/cni-*) are ours to
    // delete.
    for (Path ns : podNetns) {
      if (!ns.startsWith(dir)) {
        try {
          Files.deleteIfExists(ns);
        } catch (IOException e) {
          failures.add("delete " + ns + ": " + e.getMessage());
        }
      }
    }
    if (!mountPointsUnder(dir).isEmpty() || !failures.isEmpty()) {
      throw new IllegalStateException("still mounted: " + mountPointsUnder(dir) + " " + failures);
    }
  }

  private static void deleteNodeNamespace(RunLayout layout) {
    try {
      Netns.delete(layout.nodeNetnsName());
    } catch (NetnsGoneException e) {
      // already gone
    }
  }

  /** Sandbox ids containerd recorded under the run's root and state directories. */
  static Set<String> sandboxIdsOnDisk(RunLayout layout) {
    Set<String> ids = new HashSet<>();
    for (Path base : List.of(layout.root(), layout.state())) {
      Path dir = base.resolve("io.containerd.grpc.v1.cri/sandboxes");
      try (Stream<Path> entries = Files.list(dir)) {
        entries.map(p -> p.getFileName().toString()).forEach(ids::add);
      } catch (IOException ignored) {
        // never created
      }
    }
    return ids;
  }

  /** libcni names its cache files {@code <network>-<containerId>-<ifname>}. */
  private static void removeCniResults(RunLayout layout, Collection<String> sandboxIds) {
    Set<String> ids = new HashSet<>(sandboxIds);
    ids.addAll(sandboxIdsOnDisk(layout));
    if (ids.isEmpty() || !Files.isDirectory(CNI_RESULTS)) {
      return;
    }
    try (Stream<Path> entries = Files.list(CNI_RESULTS)) {
      for (Path entry : entries.toList()) {
        String name = entry.getFileName().toString();
        if (ids.stream().anyMatch(id -> name.contains("-" + id + "-"))) {
          Files.deleteIfExists(entry);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Deletes the run directory, never following symlinks (the CNI bin dir links to real plugins).
   */
  private static void deleteRunDir(Path runDir) {
    if (!Files.exists(runDir)) {
      return;
    }
    if (!mountPointsUnder(runDir).isEmpty()) {
      throw new IllegalStateException("not deleted: mounts remain under it");
    }
    try (Stream<Path> paths = Files.walk(runDir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException | UncheckedIOException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }
}
