package io.vpccni.agent.policy;

import java.util.Locale;

/**
 * What {@link PolicyEnforcer} reports as it works; the agent turns it into metrics
 * (docs/metrics.md). Called on the enforcer's threads while it holds its lock: an implementation
 * must return at once and not call back into the enforcer.
 */
public interface PolicyListener {
  /** Reports nothing. */
  PolicyListener NONE = new PolicyListener() {};

  /**
   * A recomputation: {@code policies} NetworkPolicies known, {@code selectedLocalPods} local pods
   * that some policy isolates in at least one direction.
   */
  default void computed(int policies, int selectedLocalPods) {}

  /** A recomputation rendered the rules already in force, so no transaction ran. */
  default void unchanged() {}

  /** One nft transaction ran for {@code nanos}; {@code ok} is false when it failed. */
  default void applied(boolean ok, long nanos) {}

  /** {@link PolicyEnforcer#admit} put a new pod's rules in force, in {@code nanos}. */
  default void admitted(long nanos) {}

  /** {@link PolicyEnforcer#admit} refused a pod after {@code nanos}, for {@code reason}. */
  default void admitRefused(Refusal reason, long nanos) {}

  /** Why {@link PolicyEnforcer#admit} refused: the metric label is {@link #label()}. */
  enum Refusal {
    /** The watches have not synced yet. */
    NOT_SYNCED,
    /** Reading a pod the watch had not brought yet from the API server failed. */
    API_ERROR,
    /** The API server does not know the pod. */
    POD_UNKNOWN,
    /** Computing or applying the rules failed (nft refused the script, mostly). */
    APPLY_FAILED;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }
}
