package io.vpccni.agent.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vpccni.netlink.KernelProbes;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * ipvlan mode where the kernel lacks ipvlan (as on this project's machines): the agent refuses to
 * start and says why. Pods in shared mode are covered by the veth tests, which run everywhere.
 */
@Tag("netns")
class PrivilegedIpvlanModeTest {
  @Test
  void agentRefusesIpvlanModeNamingTheMissingKernelFeature() throws Exception {
    NodeHarness.assumePrivileged();
    Assumptions.assumeFalse(
        KernelProbes.IPVLAN.isAvailable(),
        "this kernel has ipvlan; the refusal path cannot be shown here");
    try (NodeHarness h = new NodeHarness(1, 2)) {
      h.mode = "ipvlan";
      assertThatThrownBy(() -> h.startAgent(Map.of()))
          .hasMessageContaining("exited")
          .satisfies(e -> assertThat(e.getMessage()).contains("ipvlan").contains("kernel"));
    }
  }
}
