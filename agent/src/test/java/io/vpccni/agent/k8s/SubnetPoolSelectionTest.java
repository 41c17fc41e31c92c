package io.vpccni.agent.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.vpccni.crd.SubnetPool;
import io.vpccni.crd.SubnetPoolSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SubnetPoolSelectionTest {
  static SubnetPool pool(String name, Integer priority, LabelSelector ns, LabelSelector pod) {
    SubnetPool p = new SubnetPool();
    p.setMetadata(new ObjectMetaBuilder().withName(name).build());
    p.setSpec(new SubnetPoolSpec());
    p.getSpec().subnets = List.of("subnet-" + name);
    p.getSpec().priority = priority;
    p.getSpec().namespaceSelector = ns;
    p.getSpec().podSelector = pod;
    return p;
  }

  static LabelSelector labels(String k, String v) {
    return new LabelSelectorBuilder().withMatchLabels(Map.of(k, v)).build();
  }

  final List<SubnetPool> pools =
      List.of(
          pool("team-a", null, labels("team", "a"), null),
          pool("team-b", null, labels("team", "b"), null),
          pool("gpu", 10, null, labels("gpu", "true")),
          pool("a-batch", 0, labels("team", "a"), labels("tier", "batch")));

  @Test
  void namespaceLabelsPickThePool() throws Exception {
    assertThat(SubnetPoolSelection.select(pools, Map.of(), Map.of(), Map.of("team", "a")))
        .isEqualTo("team-a");
    assertThat(SubnetPoolSelection.select(pools, Map.of(), Map.of(), Map.of("team", "b")))
        .isEqualTo("team-b");
  }

  @Test
  void nothingMatchesMeansTheDefaultPool() throws Exception {
    assertThat(SubnetPoolSelection.select(pools, Map.of(), Map.of(), Map.of("team", "c")))
        .isEmpty();
    assertThat(SubnetPoolSelection.select(List.of(), null, null, null)).isEmpty();
  }

  @Test
  void highestPriorityThenFirstNameWins() throws Exception {
    // gpu (priority 10) beats team-a (0)
    assertThat(
            SubnetPoolSelection.select(pools, Map.of(), Map.of("gpu", "true"), Map.of("team", "a")))
        .isEqualTo("gpu");
    // a-batch and team-a both match at priority 0: the first name wins
    assertThat(
            SubnetPoolSelection.select(
                pools, Map.of(), Map.of("tier", "batch"), Map.of("team", "a")))
        .isEqualTo("a-batch");
  }

  @Test
  void theAnnotationWinsOverSelectors() throws Exception {
    assertThat(
            SubnetPoolSelection.select(
                pools, Map.of(SubnetPool.POD_ANNOTATION, "team-b"), Map.of(), Map.of("team", "a")))
        .isEqualTo("team-b");
    assertThat(
            SubnetPoolSelection.select(
                pools, Map.of(SubnetPool.POD_ANNOTATION, "default"), Map.of(), Map.of("team", "a")))
        .isEmpty();
  }

  @Test
  void anAnnotationNamingAMissingPoolIsAClearError() {
    assertThatThrownBy(
            () ->
                SubnetPoolSelection.select(
                    pools, Map.of(SubnetPool.POD_ANNOTATION, "nope"), Map.of(), Map.of()))
        .isInstanceOf(SubnetPoolSelection.UnknownSubnetPoolException.class)
        .hasMessageContaining("vpc-cni.io/subnet-pool")
        .hasMessageContaining("\"nope\"")
        .hasMessageContaining("team-a");
  }

  @Test
  void matchExpressionsFollowKubernetesSemantics() {
    var sel =
        new LabelSelectorBuilder()
            .addNewMatchExpression()
            .withKey("env")
            .withOperator("In")
            .withValues("prod", "stage")
            .endMatchExpression()
            .addNewMatchExpression()
            .withKey("legacy")
            .withOperator("DoesNotExist")
            .endMatchExpression()
            .build();
    assertThat(SubnetPoolSelection.matches(sel, Map.of("env", "prod"))).isTrue();
    assertThat(SubnetPoolSelection.matches(sel, Map.of("env", "dev"))).isFalse();
    assertThat(SubnetPoolSelection.matches(sel, Map.of("env", "prod", "legacy", "1"))).isFalse();
    assertThat(SubnetPoolSelection.matches(new LabelSelector(), Map.of())).isTrue();
  }
}
