package io.vpccni.agent.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.testkit.vpc.Cmd;
import io.vpccni.testkit.vpc.StandInVpc;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Bandwidth limits from {@code runtimeConfig.bandwidth}, as a runtime passes them from the pod's
 * kubernetes.io/ingress-bandwidth and egress-bandwidth annotations: the real binary and agent set
 * tbf on both ends of the pod's veth, and iperf3 between the pod and a VPC host measures each
 * direction within ±10 % of its rate.
 */
@Tag("netns")
class PrivilegedBandwidthNodeTest {
  static NodeHarness h;

  @BeforeAll
  static void up() throws Exception {
    NodeHarness.assumePrivileged();
    NodeHarness.binary();
    h = new NodeHarness(1, 4);
    h.startAgent(Map.of());
  }

  @AfterAll
  static void down() {
    if (h != null) {
      h.close();
    }
  }

  static String netconf(String bandwidth) {
    String c = h.netconf("1.0.0");
    return c.substring(0, c.length() - 1) + ",\"runtimeConfig\":{\"bandwidth\":" + bandwidth + "}}";
  }

  @Test
  void bothDirectionsAreHeldToTheirRates() throws Exception {
    String pod = h.podNs("bw");
    var r =
        h.cni(
            "ADD",
            "bw",
            pod,
            netconf(
                "{\"ingressRate\":20000000,\"ingressBurst\":2147483647,"
                    + "\"egressRate\":30000000,\"egressBurst\":2147483647}"));
    assertThat(r.exit()).as(r.stdout()).isZero();
    String ip = r.ip();
    assertThat(Cmd.ok("ip", "netns", "exec", pod, "tc", "-j", "qdisc", "show", "dev", "eth0"))
        .contains("\"kind\":\"tbf\"")
        .contains("\"rate\":3750000");
    String vpcHost = h.vpc.hostNetns();
    Process server =
        new ProcessBuilder("ip", "netns", "exec", vpcHost, "iperf3", "-s", "-B", StandInVpc.HOST_IP)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    try {
      Thread.sleep(400);
      double egress = iperf(pod, false);
      double ingress = iperf(pod, true);
      assertThat(egress).as("pod → VPC host, Mbit/s (egress 30)").isBetween(27.0, 33.0);
      assertThat(ingress).as("VPC host → pod, Mbit/s (ingress 20)").isBetween(18.0, 22.0);
    } finally {
      server.destroy();
    }
    h.del("bw", pod);
  }

  @Test
  void aBadRateNamesTheFieldAndChangesNothing() throws Exception {
    String pod = h.podNs("bwbad");
    String before = h.nodeState();
    var r = h.cni("ADD", "bwbad", pod, netconf("{\"egressRate\":12}"));
    assertThat(r.code()).isEqualTo(7);
    assertThat(r.json().string("msg")).contains("runtimeConfig.bandwidth.egressRate");
    assertThat(h.nodeState()).isEqualTo(before);
  }

  /** Mbit/s received; {@code reverse}: the server sends (traffic into the pod). */
  static double iperf(String pod, boolean reverse) {
    List<String> cmd =
        new java.util.ArrayList<>(
            List.of(
                "ip", "netns", "exec", pod, "iperf3", "-c", StandInVpc.HOST_IP, "-t", "4", "-J"));
    if (reverse) {
      cmd.add("-R");
    }
    String json = Cmd.run(cmd, 30).stdout();
    return io.vpccni.testkit.netns.Iperf3.receivedBitsPerSecond(json) / 1e6;
  }
}
