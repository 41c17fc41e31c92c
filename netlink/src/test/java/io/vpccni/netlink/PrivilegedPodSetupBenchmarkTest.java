package io.vpccni.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.netaddr.IpAddress;
import io.vpccni.netaddr.IpPrefix;
import io.vpccni.testkit.netns.NetnsExtension;
import io.vpccni.testkit.netns.NetnsTest;
import io.vpccni.testkit.netns.TestNetns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Not a timed assertion: measures what the agent does per pod in shared-ENI veth mode and prints
 * the median, so it can be quoted. Per pod: open the pod's namespace by path, a handle inside it, a
 * veth whose peer is created in the pod, a lookup of the pod end, then 8 configuration steps (pod:
 * address, up, gateway route, default route, permanent neighbour; host: up, /32 route, source
 * rule). Both "host" and "pod" are test namespaces. Output: the test's stdout (surefire report) and
 * {@code target/pod-setup-bench.txt}.
 */
@Tag("netns")
class PrivilegedPodSetupBenchmarkTest {
  @RegisterExtension static final NetnsExtension netns = new NetnsExtension();

  private static final int WARMUP = 50;
  private static final int ROUNDS = 200;
  private static final IpAddress GATEWAY = IpAddress.parse("169.254.1.1");

  @NetnsTest
  void podSetupMedian() throws IOException {
    TestNetns host = netns.create("bnode");
    TestNetns pod = netns.create("bpod");
    long[] nanos = new long[ROUNDS];
    try (Netns hostNs = Netns.open(host.path());
        Netlink node = Netlink.in(hostNs)) {
      for (int i = 0; i < WARMUP + ROUNDS; i++) {
        IpAddress podIp = IpAddress.ofV4(0x0a000100 | (i & 0xff) | ((i >> 8) << 16)); // 10.x.1.y
        String hostVeth = "vpc" + Integer.toString(i, 36);
        long t0 = System.nanoTime();
        setUpPod(node, pod.path(), hostVeth, podIp);
        long t1 = System.nanoTime();
        if (i >= WARMUP) {
          nanos[i - WARMUP] = t1 - t0;
        }
        // teardown, not timed: deleting the host end deletes the pod end with its routes
        node.linkDel(hostVeth);
        node.ruleDel(Rule.from(podIp.toHostPrefix(), 1536, 101));
      }
    }
    Arrays.sort(nanos);
    String report =
        String.format(
            Locale.ROOT,
            "pod setup (open netns + handle in pod + veth into pod + lookup + 8 steps), %d rounds"
                + " after %d warm-up: median %.3f ms, p10 %.3f ms, p90 %.3f ms, min %.3f ms, max"
                + " %.3f ms%n",
            ROUNDS,
            WARMUP,
            ms(nanos[ROUNDS / 2]),
            ms(nanos[ROUNDS / 10]),
            ms(nanos[ROUNDS * 9 / 10]),
            ms(nanos[0]),
            ms(nanos[ROUNDS - 1]));
    System.out.print(report);
    Files.writeString(Path.of("target", "pod-setup-bench.txt"), report);
    assertThat(nanos[0]).isPositive();
  }

  /** What the agent's veth datapath does for one pod. */
  static void setUpPod(Netlink node, Path podPath, String hostVeth, IpAddress podIp) {
    try (Netns podNs = Netns.open(podPath);
        Netlink inPod = Netlink.in(podNs)) {
      Link hostEnd = node.vethAdd(new VethSpec(hostVeth, "eth0", podNs, 1500));
      Link eth0 = inPod.link("eth0");
      inPod.addrAdd(new Addr(eth0.index(), podIp.toHostPrefix()));
      inPod.linkSetUp(eth0.index());
      inPod.routeAdd(Route.to(GATEWAY.toHostPrefix()).dev(eth0.index()).scope(Scope.LINK));
      inPod.routeAdd(
          Route.to(IpPrefix.parse("0.0.0.0/0")).via(GATEWAY).dev(eth0.index()).withOnlink());
      inPod.neighSet(Neigh.permanent(eth0.index(), GATEWAY, hostEnd.mac()));
      node.linkSetUp(hostEnd.index());
      node.routeAdd(Route.to(podIp.toHostPrefix()).dev(hostEnd.index()).scope(Scope.LINK));
      node.ruleAdd(Rule.from(podIp.toHostPrefix(), 1536, 101));
    }
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }
}
