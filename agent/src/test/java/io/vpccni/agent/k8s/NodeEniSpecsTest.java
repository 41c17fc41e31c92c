package io.vpccni.agent.k8s;

import static io.vpccni.agent.k8s.NodeEniFixtures.eni;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vpccni.agentapi.FieldException;
import java.util.List;
import org.junit.jupiter.api.Test;

class NodeEniSpecsTest {
  @Test
  void offersOnlyAttachedEnis() {
    var spec =
        NodeEniFixtures.nodeEni(
                "n1",
                List.of(
                    eni(1, 1, 2, "Attached"), eni(1, 2, 2, "Attaching"), eni(1, 3, 2, "Detaching")))
            .getSpec();
    var enis = NodeEniSpecs.attached(spec);
    assertThat(enis).hasSize(1);
    assertThat(enis.get(0).id()).isEqualTo("eni-1-1");
    assertThat(enis.get(0).ips()).hasSize(2);
  }

  @Test
  void errorNamesTheFieldAtItsPlaceInTheObject() {
    var bad = eni(1, 3, 2, "Attached");
    bad.ips.set(1, "10.9.9.9");
    var spec =
        NodeEniFixtures.nodeEni(
                "n1", List.of(eni(1, 1, 2, "Attached"), eni(1, 2, 2, "Attaching"), bad))
            .getSpec();
    assertThatThrownBy(() -> NodeEniSpecs.attached(spec))
        .isInstanceOfSatisfying(
            FieldException.class, e -> assertThat(e.field()).isEqualTo("spec.enis[2].ips[1]"))
        .hasMessageContaining("not in subnet 10.1.3.0/24");
  }

  @Test
  void duplicateIpAcrossEnisIsRefused() {
    var a = eni(1, 1, 2, "Attached");
    var b = eni(1, 2, 2, "Attached");
    b.ips.set(0, a.ips.get(0));
    b.subnetCidr = "10.1.0.0/16";
    a.subnetCidr = "10.1.0.0/16";
    b.gateway = "10.1.0.1";
    a.gateway = "10.1.0.1";
    var spec = NodeEniFixtures.nodeEni("n1", List.of(a, b)).getSpec();
    assertThatThrownBy(() -> NodeEniSpecs.attached(spec)).hasMessageContaining("appears twice");
  }

  @Test
  void ipsTheControllerTakesBackAreNotOffered() {
    var spec = NodeEniFixtures.nodeEni("n1", List.of(eni(1, 1, 3, "Attached"))).getSpec();
    spec.releaseIps = List.of("10.1.1.21");
    assertThat(NodeEniSpecs.attached(spec).get(0).ips())
        .extracting(Object::toString)
        .containsExactly("10.1.1.20", "10.1.1.22");
  }

  @Test
  void noSpecIsNoEnis() {
    assertThat(NodeEniSpecs.attached(null)).isEmpty();
  }
}
