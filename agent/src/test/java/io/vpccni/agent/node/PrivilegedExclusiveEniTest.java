package io.vpccni.agent.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.testkit.vpc.Cmd;
import io.vpccni.testkit.vpc.StandInVpc;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Exclusive-ENI mode: the ENI moves into the pod as eth0 and back on DEL. */
@Tag("netns")
class PrivilegedExclusiveEniTest {
  static NodeHarness h;

  @BeforeAll
  static void up() throws Exception {
    NodeHarness.assumePrivileged();
    NodeHarness.binary();
    h = new NodeHarness(2, 0);
    h.mode = "exclusive";
    h.startAgent(Map.of());
  }

  @AfterAll
  static void down() {
    if (h != null) {
      h.close();
    }
  }

  @Test
  void podGetsAWholeEniAndGivesItBack() throws Exception {
    String before = h.nodeState();
    String a = h.podNs("xa");
    String b = h.podNs("xb");
    String ipA = h.add("xa", a).ip();
    String ipB = h.add("xb", b).ip();
    assertThat(ipA).isEqualTo(h.node.enis().get(0).primaryIp());
    assertThat(ipB).isEqualTo(h.node.enis().get(1).primaryIp());
    String linkA = Cmd.ok("ip", "-n", a, "-br", "link", "show", "eth0");
    assertThat(linkA).contains(h.node.enis().get(0).mac());
    assertThat(Cmd.ok("ip", "-n", h.node.netns(), "-br", "link"))
        .doesNotContain("eni1")
        .doesNotContain("eni2");
    // A third pod has no ENI left.
    var r = h.cni("ADD", "xc", h.podNs("xc"), h.netconf("1.0.0"));
    assertThat(r.exit()).isNotZero();
    assertThat(r.code()).isEqualTo(11);

    assertThat(StandInVpc.ping(a, ipB)).as("pod to pod through the VPC").isTrue();
    assertThat(StandInVpc.ping(a, StandInVpc.HOST_IP)).as("pod to VPC host").isTrue();
    assertThat(StandInVpc.ping(a, h.node.ip()))
        .as("pod to its node over the node-local veth")
        .isTrue();
    assertThat(StandInVpc.ping(h.vpc.hostNetns(), ipA)).as("VPC host to pod").isTrue();

    h.del("xa", a);
    h.del("xb", b);
    assertThat(h.nodeState())
        .as("ENIs are back under their names, nothing else remains")
        .isEqualTo(before);
  }
}
