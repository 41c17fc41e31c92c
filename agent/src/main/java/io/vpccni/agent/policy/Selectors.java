package io.vpccni.agent.policy;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.List;
import java.util.Map;

/**
 * Kubernetes label selectors: matchLabels and matchExpressions (In, NotIn, Exists, DoesNotExist).
 */
final class Selectors {
  private Selectors() {}

  /**
   * Whether {@code labels} match; an empty selector matches everything.
   *
   * @throws IllegalArgumentException for an operator Kubernetes does not define, or In/NotIn
   *     without values, naming the field
   */
  static boolean matches(LabelSelector s, Map<String, String> labels) {
    if (s == null) {
      return true;
    }
    if (s.getMatchLabels() != null) {
      for (var e : s.getMatchLabels().entrySet()) {
        if (!e.getValue().equals(labels.get(e.getKey()))) {
          return false;
        }
      }
    }
    if (s.getMatchExpressions() != null) {
      for (LabelSelectorRequirement r : s.getMatchExpressions()) {
        if (!matches(r, labels)) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * Throws, as {@link #matches} would, for an operator Kubernetes does not define or In/NotIn
   * without values: {@link #matches} finds such a requirement only when it gets that far, so a
   * selector is checked once, whatever it is matched against.
   */
  static void validate(LabelSelector s) {
    if (s == null || s.getMatchExpressions() == null) {
      return;
    }
    for (LabelSelectorRequirement r : s.getMatchExpressions()) {
      matches(r, Map.of());
    }
  }

  private static boolean matches(LabelSelectorRequirement r, Map<String, String> labels) {
    String op = r.getOperator() == null ? "" : r.getOperator();
    List<String> values = r.getValues() == null ? List.of() : r.getValues();
    String v = labels.get(r.getKey());
    return switch (op) {
      case "In" -> {
        requireValues(r, values);
        yield v != null && values.contains(v);
      }
      case "NotIn" -> {
        requireValues(r, values);
        yield v == null || !values.contains(v);
      }
      case "Exists" -> labels.containsKey(r.getKey());
      case "DoesNotExist" -> !labels.containsKey(r.getKey());
      default ->
          throw new IllegalArgumentException(
              "matchExpressions operator \""
                  + op
                  + "\" for key "
                  + r.getKey()
                  + " is not In, NotIn, Exists or DoesNotExist");
    };
  }

  private static void requireValues(LabelSelectorRequirement r, List<String> values) {
    if (values.isEmpty()) {
      throw new IllegalArgumentException(
          "matchExpressions " + r.getOperator() + " for key " + r.getKey() + " needs values");
    }
  }
}
