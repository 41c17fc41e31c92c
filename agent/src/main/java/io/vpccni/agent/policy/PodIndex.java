package io.vpccni.agent.policy;

import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every pod of the cluster indexed by namespace and by label, so that a peer selector looks at the
 * pods that can match instead of all of them: with 1000 policies each naming its own few pods out
 * of 2000, one recompute evaluated two million selectors. A selector with {@code matchLabels}
 * starts from the shortest list of pods carrying one of its labels; every candidate is still
 * checked against the whole selector, so the result is exactly that of a scan, in the same order.
 */
final class PodIndex {
  private final List<PolicyPod> pods;
  private final Map<String, List<Integer>> byNamespace = new LinkedHashMap<>();
  private final Map<String, Map<String, List<Integer>>> byLabel = new HashMap<>();

  PodIndex(List<PolicyPod> pods) {
    this.pods = pods;
    for (int i = 0; i < pods.size(); i++) {
      PolicyPod p = pods.get(i);
      byNamespace.computeIfAbsent(p.namespace(), ns -> new ArrayList<>()).add(i);
      Map<String, List<Integer>> labels =
          byLabel.computeIfAbsent(p.namespace(), ns -> new HashMap<>());
      for (var l : p.labels().entrySet()) {
        labels.computeIfAbsent(label(l.getKey(), l.getValue()), k -> new ArrayList<>()).add(i);
      }
    }
  }

  /**
   * The pods matching {@code podSelector} (null: all) in the namespaces whose labels match {@code
   * namespaceSelector} (null: only {@code policyNamespace}), in the order the pods were given.
   * Selectors must be valid ({@link Selectors#validate}).
   */
  List<PolicyPod> select(
      LabelSelector namespaceSelector,
      LabelSelector podSelector,
      String policyNamespace,
      Map<String, Map<String, String>> namespaceLabels) {
    List<Integer> hits = new ArrayList<>();
    int namespaces = 0;
    for (String ns : byNamespace.keySet()) {
      boolean inScope =
          namespaceSelector == null
              ? ns.equals(policyNamespace)
              : Selectors.matches(namespaceSelector, namespaceLabels.getOrDefault(ns, Map.of()));
      if (!inScope) {
        continue;
      }
      namespaces++;
      for (int i : candidates(ns, podSelector)) {
        if (podSelector == null || Selectors.matches(podSelector, pods.get(i).labels())) {
          hits.add(i);
        }
      }
    }
    if (namespaces > 1) {
      Collections.sort(hits); // the order of the pods as given, as a scan would list them
    }
    List<PolicyPod> out = new ArrayList<>(hits.size());
    for (int i : hits) {
      out.add(pods.get(i));
    }
    return out;
  }

  private List<Integer> candidates(String ns, LabelSelector podSelector) {
    List<Integer> all = byNamespace.getOrDefault(ns, List.of());
    if (podSelector == null || podSelector.getMatchLabels() == null) {
      return all;
    }
    List<Integer> shortest = all;
    Map<String, List<Integer>> labels = byLabel.getOrDefault(ns, Map.of());
    for (var l : podSelector.getMatchLabels().entrySet()) {
      List<Integer> carrying = labels.getOrDefault(label(l.getKey(), l.getValue()), List.of());
      if (carrying.size() < shortest.size()) {
        shortest = carrying;
      }
    }
    return shortest;
  }

  private static String label(String key, String value) {
    return key + '\0' + value;
  }
}
