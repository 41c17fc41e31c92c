package io.vpccni.agent.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.vpccni.netaddr.IpAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The index against the plain scan it replaces (every pod, namespace first, then the pod selector):
 * random clusters and selectors drawn from a small vocabulary, so that selectors match some pods,
 * and the same pods in the same order every time.
 */
class PodIndexTest {
  static final List<String> KEYS = List.of("app", "tier", "team", "env");
  static final List<String> VALUES = List.of("a", "b", "c");
  static final List<String> NAMESPACES = List.of("prod", "dev", "ops", "empty");

  /** What PolicyCompiler did before the index. */
  static List<PolicyPod> scan(
      List<PolicyPod> pods,
      LabelSelector nsSel,
      LabelSelector podSel,
      String policyNs,
      Map<String, Map<String, String>> nsLabels) {
    List<PolicyPod> out = new ArrayList<>();
    for (PolicyPod p : pods) {
      boolean nsOk =
          nsSel == null
              ? p.namespace().equals(policyNs)
              : Selectors.matches(nsSel, nsLabels.getOrDefault(p.namespace(), Map.of()));
      if (nsOk && (podSel == null || Selectors.matches(podSel, p.labels()))) {
        out.add(p);
      }
    }
    return out;
  }

  @Test
  void selectsExactlyWhatAScanSelectsInTheSameOrder() {
    Random r = new Random(20261203);
    int nonEmpty = 0;
    for (int cluster = 0; cluster < 40; cluster++) {
      Map<String, Map<String, String>> nsLabels = new HashMap<>();
      for (String ns : NAMESPACES.subList(0, 3)) { // "empty" has no labels entry
        nsLabels.put(ns, labels(r));
      }
      List<PolicyPod> pods = new ArrayList<>();
      for (int i = 0; i < 150; i++) {
        String ns = NAMESPACES.get(r.nextInt(NAMESPACES.size()));
        Optional<IpAddress> ip =
            r.nextInt(10) == 0
                ? Optional.empty()
                : Optional.of(IpAddress.parse("10.0." + (i / 250) + "." + (i % 250 + 1)));
        pods.add(new PolicyPod(ns, "p" + i, ip, labels(r), List.of()));
      }
      PodIndex index = new PodIndex(pods);
      for (int q = 0; q < 50; q++) {
        LabelSelector nsSel = r.nextInt(3) == 0 ? null : selector(r);
        LabelSelector podSel = r.nextInt(4) == 0 ? null : selector(r);
        String policyNs = NAMESPACES.get(r.nextInt(NAMESPACES.size()));
        List<PolicyPod> expected = scan(pods, nsSel, podSel, policyNs, nsLabels);
        assertThat(index.select(nsSel, podSel, policyNs, nsLabels))
            .as("cluster %d query %d: ns %s, pods %s, in %s", cluster, q, nsSel, podSel, policyNs)
            .containsExactlyElementsOf(expected);
        nonEmpty += expected.isEmpty() ? 0 : 1;
      }
    }
    assertThat(nonEmpty).as("queries that matched some pods").isGreaterThan(500);
  }

  static Map<String, String> labels(Random r) {
    Map<String, String> l = new HashMap<>();
    for (String k : KEYS) {
      if (r.nextInt(3) > 0) {
        l.put(k, VALUES.get(r.nextInt(VALUES.size())));
      }
    }
    return l;
  }

  static LabelSelector selector(Random r) {
    LabelSelector s = new LabelSelector();
    if (r.nextBoolean()) {
      Map<String, String> match = new HashMap<>();
      for (int i = r.nextInt(3); i > 0; i--) {
        match.put(KEYS.get(r.nextInt(KEYS.size())), VALUES.get(r.nextInt(VALUES.size())));
      }
      s.setMatchLabels(match);
    }
    if (r.nextBoolean()) {
      List<LabelSelectorRequirement> exprs = new ArrayList<>();
      for (int i = r.nextInt(3); i > 0; i--) {
        String op = List.of("In", "NotIn", "Exists", "DoesNotExist").get(r.nextInt(4));
        List<String> values =
            op.endsWith("In") ? List.of(VALUES.get(r.nextInt(3)), VALUES.get(r.nextInt(3))) : null;
        exprs.add(new LabelSelectorRequirement(KEYS.get(r.nextInt(KEYS.size())), op, values));
      }
      s.setMatchExpressions(exprs);
    }
    return s;
  }
}
