package io.vpccni.e2e.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Proves the containerd harness with Debian's reference plugins (ptp + host-local): two pod
 * sandboxes run through CRI get IPs from CNI ADD, reach each other through the node namespace, and
 * leave nothing behind after StopPodSandbox/RemovePodSandbox (CNI DEL) and close.
 *
 * <p>All traffic stays between the run's own namespaces: containerd and the plugins run in the
 * run's node namespace, which has no link to the host, and the IPAM config installs no routes.
 */
@Tag("e2e")
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PrivilegedContainerdHarnessTest {

  /** Reachable only inside the run's namespaces: the node namespace has no route to the host. */
  private static final String SUBNET = "10.250.0.0/24";

  private static final String SUBNET_PREFIX = "10.250.0.";

  @Test
  void podsOnReferencePtpReachEachOtherAndDelLeavesNothing() throws Exception {
    long t0 = System.nanoTime();
    List<String> hostLinks = hostLinkNames();
    Containerd containerd = startOrSkip();
    RunLayout layout = containerd.layout();
    NetworkNamespace node = containerd.nodeNamespace();
    long started = System.nanoTime();
    PodSandbox a;
    PodSandbox b;
    long podsUp;
    long pinged;
    long removed;
    try (containerd) {
      assertThat(containerd.cri().version().getRuntimeName()).isEqualTo("containerd");
      Path ipamDir = containerd.scratchDir("ipam");
      String network = containerd.runId() + "-ptp";
      containerd.installCni(
          Containerd.REFERENCE_PLUGINS, "10-ptp.conflist", ptpConflist(network, ipamDir));

      List<PodSandbox> pods = containerd.runPods("pod-a", "pod-b");
      a = pods.get(0);
      b = pods.get(1);
      podsUp = System.nanoTime();
      for (PodSandbox pod : List.of(a, b)) {
        assertThat(pod.ip()).as("IP of %s", pod).startsWith(SUBNET_PREFIX);
        assertThat(pod.netns().exists()).as("netns of %s", pod).isTrue();
        assertThat(pod.exec("ip", "-4", "-o", "addr", "show", "eth0").check().stdout())
            .contains(pod.ip() + "/24");
        assertThat(pod.exec("ip", "-4", "route", "show").check().stdout())
            .as("routes of %s", pod)
            .doesNotContain("default");
      }
      assertThat(a.ip()).isNotEqualTo(b.ip());
      assertThat(veths(node)).as("host-side veths in the node namespace").hasSize(2);
      assertThat(hostLinkNames())
          .as("links of the test's own namespace while pods run")
          .isEqualTo(hostLinks);

      ping(a, b.ip());
      ping(b, a.ip());
      pinged = System.nanoTime();

      containerd.removePod(a);
      containerd.removePod(b);
      removed = System.nanoTime();
      for (PodSandbox pod : List.of(a, b)) {
        assertThat(pod.netns().exists()).as("netns of %s after RemovePodSandbox", pod).isFalse();
      }
      assertThat(node.linkNames())
          .as("links left in the node namespace after DEL")
          .containsExactly("lo");
      assertThat(allocatedIps(ipamDir.resolve(network)))
          .as("host-local allocations after DEL")
          .isEmpty();
      assertThat(containerd.cri().listPodSandbox()).isEmpty();
      report(containerd, t0, started, podsUp, pinged, removed);
    }
    long closed = System.nanoTime();
    System.out.printf("close: %d ms, total %d ms%n", ms(closed - removed), ms(closed - t0));

    assertThat(node.exists()).as("node namespace after close").isFalse();
    assertThat(layout.runDir()).as("run directory after close").doesNotExist();
    assertThat(Teardown.mountPointsUnder(layout.runDir())).isEmpty();
  }

  @Test
  void closeReleasesEverythingEvenAfterContainerdIsKilled() throws Exception {
    Containerd containerd = startOrSkip();
    RunLayout layout = containerd.layout();
    PodSandbox pod;
    try (containerd) {
      containerd.installCni(
          Containerd.REFERENCE_PLUGINS,
          "10-ptp.conflist",
          ptpConflist(containerd.runId() + "-ptp", containerd.scratchDir("ipam")));
      pod = containerd.runPod("orphan");
      ProcessHandle daemon = containerd.daemonProcess().orElseThrow();
      daemon.destroyForcibly();
      daemon.onExit().get(10, TimeUnit.SECONDS);
      // No CRI left to call DEL: close() must force out the shim, the sandbox, its mounts and
      // netns.
    }
    assertThat(pod.netns().exists()).as("pod netns after close").isFalse();
    assertThat(Files.exists(Path.of("/run/netns", layout.nodeNetnsName())))
        .as("node netns after close")
        .isFalse();
    assertThat(layout.runDir()).doesNotExist();
    assertThat(Teardown.mountPointsUnder(layout.runDir())).isEmpty();
    assertThat(
            ProcessHandle.allProcesses()
                .filter(
                    p ->
                        p.info()
                            .arguments()
                            .map(
                                args -> String.join(" ", args).contains(layout.runDir().toString()))
                            .orElse(false))
                .toList())
        .as("processes of the run after close")
        .isEmpty();
    assertThat(Path.of("/sys/fs/cgroup/pids", layout.runId())).doesNotExist();
    Path results = Path.of("/var/lib/cni/results");
    if (Files.isDirectory(results)) {
      try (Stream<Path> files = Files.list(results)) {
        assertThat(files.map(Path::toString).filter(n -> n.contains(pod.id())).toList())
            .as("libcni cache of the killed run")
            .isEmpty();
      }
    }
  }

  /** Links of the namespace this JVM runs in, which no plugin may touch. */
  private static List<String> hostLinkNames() {
    return NetworkNamespace.parseLinkNames(
        Command.check(Duration.ofSeconds(10), "ip", "-o", "link", "show").stdout());
  }

  private static Containerd startOrSkip() {
    Containerd.unavailabilityCause()
        .ifPresent(cause -> Assumptions.abort("containerd harness unavailable: " + cause));
    try {
      return Containerd.start(
          Containerd.Options.defaults().withLogCopyDir(Path.of("target", "e2e-logs")));
    } catch (RuntimeUnavailableException e) {
      Assumptions.abort("containerd could not be started: " + e.getMessage());
      throw e;
    }
  }

  /**
   * ptp + host-local at cniVersion 1.0.0 (containerd 1.6's libcni speaks no later), no routes, no
   * masquerade.
   */
  static String ptpConflist(String network, Path ipamDataDir) {
    return """
        {
          "cniVersion": "1.0.0",
          "name": "%s",
          "plugins": [
            {
              "type": "ptp",
              "ipMasq": false,
              "ipam": {
                "type": "host-local",
                "ranges": [[{"subnet": "%s"}]],
                "routes": [],
                "dataDir": "%s"
              }
            }
          ]
        }
        """
        .formatted(network, SUBNET, ipamDataDir);
  }

  /**
   * One echo request, only ever to the other pod's IP; busybox's ping, since the host may have
   * none.
   */
  private static void ping(PodSandbox from, String ip) {
    Command.Result result =
        from.netns()
            .exec(
                Duration.ofSeconds(10),
                OciImage.DEFAULT_BUSYBOX.toString(),
                "ping",
                "-c1",
                "-W2",
                ip);
    assertThat(result.ok()).as("ping %s -> %s: %s", from.name(), ip, result).isTrue();
  }

  private static List<String> veths(NetworkNamespace node) {
    return node.linkNames().stream().filter(name -> !name.equals("lo")).toList();
  }

  /** host-local keeps one file per allocated IP, named by the IP. */
  private static List<String> allocatedIps(Path networkDir) throws Exception {
    if (!Files.isDirectory(networkDir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(networkDir)) {
      return files
          .map(f -> f.getFileName().toString())
          .filter(n -> n.startsWith(SUBNET_PREFIX))
          .toList();
    }
  }

  private static void report(
      Containerd containerd, long t0, long started, long podsUp, long pinged, long removed) {
    containerd
        .timings()
        .forEach((phase, d) -> System.out.printf("start/%s: %d ms%n", phase, d.toMillis()));
    System.out.printf("start total: %d ms%n", ms(started - t0));
    System.out.printf("cni install + 2 x RunPodSandbox + status: %d ms%n", ms(podsUp - started));
    System.out.printf("2 pings: %d ms%n", ms(pinged - podsUp));
    System.out.printf("2 x Stop+RemovePodSandbox: %d ms%n", ms(removed - pinged));
  }

  private static long ms(long nanos) {
    return nanos / 1_000_000;
  }
}
