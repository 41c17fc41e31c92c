package io.vpccni.agent.policy;

import io.vpccni.netaddr.IpAddress;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What {@link PolicyEnforcer} has in force, for operators ({@code vpc-cni-cli policy}): one
 * immutable value, replaced whole after each recomputation, so a reader never sees half of one.
 *
 * @param synced the watches have synced (before that, ADDs are refused and nothing is applied)
 * @param policies NetworkPolicies known at the last recomputation
 * @param applies nft transactions that succeeded since the agent started
 * @param lastApply when the last successful transaction ended, empty before the first
 * @param lastApplyMillis how long that transaction took
 * @param lastError the message of the last recomputation, when it failed; empty once one succeeds
 * @param lastErrorAt when it failed
 * @param pods the local pods' rules in force: after a failure, still those of the last success
 */
public record PolicyState(
    boolean synced,
    int policies,
    long applies,
    Optional<Instant> lastApply,
    long lastApplyMillis,
    Optional<String> lastError,
    Optional<Instant> lastErrorAt,
    List<Pod> pods) {
  public PolicyState {
    pods = List.copyOf(pods);
  }

  /** Before the watches have synced: nothing computed, nothing applied. */
  static final PolicyState INITIAL =
      new PolicyState(
          false, 0, 0, Optional.empty(), 0, Optional.empty(), Optional.empty(), List.of());

  /**
   * One local pod: whether each direction is isolated, and by which policies ("namespace/name",
   * sorted: the compiler sees them in the watch cache's order, which means nothing).
   */
  public record Pod(
      String podRef,
      IpAddress ip,
      boolean ingressIsolated,
      List<String> ingressPolicies,
      boolean egressIsolated,
      List<String> egressPolicies) {
    public Pod {
      ingressPolicies = List.copyOf(ingressPolicies);
      egressPolicies = List.copyOf(egressPolicies);
    }

    static Pod of(PodRules r) {
      return new Pod(
          r.pod().key(),
          r.pod().ip().orElseThrow(), // a local pod always has the pool's address
          r.ingress().isolated(),
          r.ingress().policies().stream().sorted().toList(),
          r.egress().isolated(),
          r.egress().policies().stream().sorted().toList());
    }
  }
}
