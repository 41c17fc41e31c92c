package io.vpccni.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vpccni.testkit.netns.Commands;
import io.vpccni.testkit.netns.NetnsExtension;
import io.vpccni.testkit.netns.NetnsTest;
import io.vpccni.testkit.netns.TestNetns;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * tbf as a root qdisc over rtnetlink: checked against {@code tc -j qdisc}, and with real traffic
 * (iperf3 between two namespaces) against the rate.
 */
@Tag("netns")
class PrivilegedTbfTest {
  @RegisterExtension static final NetnsExtension netns = new NetnsExtension();

  @NetnsTest
  void tbfHoldsTrafficToItsRateAndGoesAway() throws Exception {
    TestNetns a = netns.create("tbfa");
    TestNetns b = netns.create("tbfb");
    netns.ip(a, "link", "add", "eth0", "type", "veth", "peer", "name", "eth0", "netns", b.name());
    netns.ip(a, "addr", "add", "192.0.2.1/24", "dev", "eth0");
    netns.ip(b, "addr", "add", "192.0.2.2/24", "dev", "eth0");
    netns.ip(a, "link", "set", "eth0", "up");
    netns.ip(b, "link", "set", "eth0", "up");
    try (Netns n = Netns.open(a.path());
        Netlink nl = Netlink.in(n)) {
      int eth0 = nl.link("eth0").index();
      nl.tbfSet(eth0, Tbf.forRate(40_000_000));
      String tc = netns.exec(a, "tc", "-j", "qdisc", "show", "dev", "eth0");
      assertThat(tc).contains("\"kind\":\"tbf\"").contains("\"rate\":5000000");

      Process server =
          new ProcessBuilder(
                  "ip", "netns", "exec", b.name(), "iperf3", "-s", "-1", "-B", "192.0.2.2")
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      try {
        Thread.sleep(400);
        double mbps = iperf(a);
        assertThat(mbps).as("iperf3 through a 40 Mbit/s tbf").isBetween(36.0, 44.0);
      } finally {
        server.destroy();
      }

      nl.tbfSet(eth0, Tbf.forRate(10_000_000)); // replaces in place
      assertThat(netns.exec(a, "tc", "-j", "qdisc", "show", "dev", "eth0"))
          .contains("\"rate\":1250000");
      nl.qdiscDelRoot(eth0);
      assertThat(netns.exec(a, "tc", "-j", "qdisc", "show", "dev", "eth0")).doesNotContain("tbf");
      nl.qdiscDelRoot(eth0); // nothing to delete: fine
      assertThatThrownBy(() -> nl.tbfSet(99999, Tbf.forRate(1_000_000)))
          .isInstanceOf(NetlinkException.class)
          .hasMessageContaining("set tbf");
    }
  }

  @org.junit.jupiter.api.Test
  void badTbfIsRefusedBeforeTheKernel() {
    assertThatThrownBy(() -> new Tbf(0, 1, 1)).hasMessageContaining("rate of at least 8 bit/s");
    assertThat(Tbf.forRate(8_000_000).burstBytes()).isEqualTo(32 * 1024);
    assertThat(Tbf.forRate(10_000_000_000L).burstBytes()).isEqualTo(25_000_000);
  }

  static double iperf(TestNetns client) {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "ip",
                "netns",
                "exec",
                client.name(),
                "iperf3",
                "-c",
                "192.0.2.2",
                "-t",
                "4",
                "-J"));
    String json = Commands.exec(Duration.ofSeconds(30), cmd).orThrow();
    return io.vpccni.testkit.netns.Iperf3.receivedBitsPerSecond(json) / 1e6;
  }
}
