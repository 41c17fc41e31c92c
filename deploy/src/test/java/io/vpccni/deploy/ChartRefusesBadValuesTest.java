package io.vpccni.deploy;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vpccni.agentapi.FieldException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The validation above can fail: a value the programs would refuse, a misspelled Kubernetes field
 * and a missing required value each make the rendering or its checks fail, naming the culprit.
 */
class ChartRefusesBadValuesTest {
  private static final Path SHARED = Chart.DIR.resolve("ci/values-shared.yaml");

  private static Release render(Map<String, Object> set) {
    return new Release(Chart.render(SHARED, set));
  }

  @Test
  void anAgentValueTheAgentRefusesFailsItsConfigCheck() {
    Release r = render(Map.of("agent.routeTableBase", 200));
    assertThatThrownBy(r::agentConfig)
        .isInstanceOf(FieldException.class)
        .hasMessageContaining("routeTableBase");
  }

  @Test
  void aControllerValueTheControllerRefusesFailsItsConfigCheck() {
    Release r = render(Map.of("controller.cloudCallsPerSecond", 0));
    assertThatThrownBy(r::controllerConfig)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cloudCallsPerSecond");
  }

  @Test
  void aMisspelledKubernetesFieldFailsTheStrictRead() {
    assertThatThrownBy(() -> render(Map.of("agent.resources.requets.cpu", "1")))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("DaemonSet vpc-cni-agent")
        .hasMessageContaining("requets");
  }

  @Test
  void snatWithoutTheVpcCidrsOrOutsideSharedModeIsRefusedWhenRendering() {
    assertThatThrownBy(() -> render(Map.of("agent.snat.enabled", true)))
        .hasMessageContaining("agent.snat.vpcCidrs is required");
    assertThatThrownBy(
            () ->
                render(
                    Map.of(
                        "agent.snat.enabled", true,
                        "agent.snat.vpcCidrs[0]", "10.0.0.0/16",
                        "agent.mode", "ipvlan")))
        .hasMessageContaining("agent.snat.enabled needs agent.mode shared");
  }

  @Test
  void aBadSnatCidrFailsTheAgentConfigCheckNamingIt() {
    Release r =
        render(
            Map.of(
                "agent.snat.enabled", true,
                "agent.snat.vpcCidrs[0]", "10.0.0.0/16",
                "agent.snat.nonSnatCidrs[0]", "192.168.0.0/33"));
    assertThatThrownBy(r::agentConfig)
        .isInstanceOf(FieldException.class)
        .hasMessageContaining("snat.nonSnatCidrs[0]");
  }

  @Test
  void ciliumChainingWithOurNetworkPolicyOrOutsideSharedModeIsRefused() {
    assertThatThrownBy(() -> render(Map.of("cni.chainCilium", true, "agent.networkPolicy", true)))
        .hasMessageContaining("Cilium enforces NetworkPolicy");
    assertThatThrownBy(() -> render(Map.of("cni.chainCilium", true, "agent.mode", "exclusive")))
        .hasMessageContaining("cni.chainCilium needs agent.mode shared");
  }

  @Test
  void networkPolicyOutsideSharedModeIsRefusedWhenRendering() {
    assertThatThrownBy(() -> render(Map.of("agent.mode", "exclusive")))
        .hasMessageContaining("agent.networkPolicy needs agent.mode shared, not \"exclusive\"");
    assertThatThrownBy(() -> render(Map.of("agent.mode", "ipvlan")))
        .hasMessageContaining("agent.networkPolicy needs agent.mode shared, not \"ipvlan\"");
    render(Map.of("agent.mode", "exclusive", "agent.networkPolicy", false)).agentConfig();
  }

  @Test
  void anUnknownModeOrAMissingClusterIdIsRefusedWhenRendering() {
    assertThatThrownBy(() -> render(Map.of("agent.mode", "bridge")))
        .hasMessageContaining("agent.mode must be shared, exclusive or ipvlan");
    assertThatThrownBy(() -> render(Map.of("controller.clusterId", "")))
        .hasMessageContaining("controller.clusterId is required");
  }
}
