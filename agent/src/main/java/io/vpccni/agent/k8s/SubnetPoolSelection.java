package io.vpccni.agent.k8s;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.vpccni.crd.SubnetPool;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which SubnetPool serves a pod, a pure function of the pod's annotation and labels, its
 * namespace's labels and the SubnetPools:
 *
 * <ol>
 *   <li>the annotation {@value SubnetPool#POD_ANNOTATION}, if present, names the pool; a name with
 *       no SubnetPool is an error ({@link UnknownSubnetPoolException});
 *   <li>else the SubnetPools whose {@code namespaceSelector} matches the namespace's labels and
 *       whose {@code podSelector} matches the pod's labels (an absent or empty selector matches
 *       everything; a pool with neither selector matches every pod), the highest {@code priority}
 *       (absent = 0) first, then the first name;
 *   <li>else the default pool ({@code ""}: the node's own subnet).
 * </ol>
 */
public final class SubnetPoolSelection {
  private SubnetPoolSelection() {}

  /** The annotation names a SubnetPool that does not exist. */
  public static final class UnknownSubnetPoolException extends Exception {
    private final String pool;
    private final String podUid;

    public UnknownSubnetPoolException(String pool, String message) {
      this(pool, message, "");
    }

    private UnknownSubnetPoolException(String pool, String message, String podUid) {
      super(message);
      this.pool = pool;
      this.podUid = podUid;
    }

    public String pool() {
      return pool;
    }

    /** The pod's uid, if known (for the Event). */
    public String podUid() {
      return podUid;
    }

    UnknownSubnetPoolException withPodUid(String uid) {
      return new UnknownSubnetPoolException(pool, getMessage(), uid);
    }
  }

  /**
   * @return the pool's name, {@code ""} for the default pool
   */
  public static String select(
      Collection<SubnetPool> pools,
      Map<String, String> podAnnotations,
      Map<String, String> podLabels,
      Map<String, String> namespaceLabels)
      throws UnknownSubnetPoolException {
    String named = podAnnotations == null ? null : podAnnotations.get(SubnetPool.POD_ANNOTATION);
    if (named != null) {
      String name = named.trim();
      if (name.isEmpty() || name.equals("default")) {
        return SubnetPool.DEFAULT_POOL;
      }
      for (SubnetPool p : pools) {
        if (p.getMetadata().getName().equals(name)) {
          return name;
        }
      }
      throw new UnknownSubnetPoolException(
          name,
          "pod annotation "
              + SubnetPool.POD_ANNOTATION
              + " names SubnetPool \""
              + name
              + "\", which does not exist"
              + (pools.isEmpty()
                  ? " (there are no SubnetPools)"
                  : " (there are: "
                      + pools.stream().map(p -> p.getMetadata().getName()).sorted().toList()
                      + ")"));
    }
    Optional<SubnetPool> best =
        pools.stream()
            .filter(p -> p.getSpec() != null)
            .filter(p -> matches(p.getSpec().namespaceSelector, namespaceLabels))
            .filter(p -> matches(p.getSpec().podSelector, podLabels))
            .min(
                Comparator.comparingInt(
                        (SubnetPool p) ->
                            -(p.getSpec().priority == null ? 0 : p.getSpec().priority))
                    .thenComparing(p -> p.getMetadata().getName()));
    return best.map(p -> p.getMetadata().getName()).orElse(SubnetPool.DEFAULT_POOL);
  }

  /** Kubernetes label-selector semantics: every matchLabels entry and every expression holds. */
  static boolean matches(LabelSelector selector, Map<String, String> labels) {
    if (selector == null) {
      return true;
    }
    Map<String, String> l = labels == null ? Map.of() : labels;
    if (selector.getMatchLabels() != null) {
      for (Map.Entry<String, String> e : selector.getMatchLabels().entrySet()) {
        if (!e.getValue().equals(l.get(e.getKey()))) {
          return false;
        }
      }
    }
    if (selector.getMatchExpressions() != null) {
      for (LabelSelectorRequirement r : selector.getMatchExpressions()) {
        List<String> values = r.getValues() == null ? List.of() : r.getValues();
        String v = l.get(r.getKey());
        boolean ok =
            switch (r.getOperator()) {
              case "In" -> v != null && values.contains(v);
              case "NotIn" -> v == null || !values.contains(v);
              case "Exists" -> v != null;
              case "DoesNotExist" -> v == null;
              default -> false; // an unknown operator matches nothing (the CRD refuses it)
            };
        if (!ok) {
          return false;
        }
      }
    }
    return true;
  }
}
