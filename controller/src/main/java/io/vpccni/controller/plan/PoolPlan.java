package io.vpccni.controller.plan;

import io.vpccni.netaddr.IpAddress;
import java.util.List;

/**
 * What to do for one node, in the order the executor performs it: assign, create, unassign, delete.
 * Logged whole; {@link #reason()} says why in one line.
 */
public record PoolPlan(
    String node,
    List<Assign> assign,
    List<CreateEni> create,
    List<Unassign> unassign,
    List<String> deleteEnis,
    Limit limit,
    String reason) {
  public PoolPlan {
    assign = List.copyOf(assign);
    create = List.copyOf(create);
    unassign = List.copyOf(unassign);
    deleteEnis = List.copyOf(deleteEnis);
  }

  /** Assign {@code count} new secondary IPs to an existing ENI (one cloud call per batch). */
  public record Assign(String eniId, int count) {}

  /**
   * Create and attach one ENI as a unit, with {@code ips} secondary IPs, at {@code deviceIndex}.
   */
  public record CreateEni(int deviceIndex, int ips) {}

  /** Unassign these free IPs from an ENI. */
  public record Unassign(String eniId, List<IpAddress> ips) {
    public Unassign {
      ips = List.copyOf(ips);
    }
  }

  /** Why the plan could not reach its target, for the Event and NodeENI condition. */
  public enum Limit {
    NONE,
    /** the instance type allows no more ENIs and every ENI is full */
    ENI_LIMIT,
    /** the node's maxIps setting caps the pool */
    MAX_IPS
  }

  public boolean isEmpty() {
    return assign.isEmpty() && create.isEmpty() && unassign.isEmpty() && deleteEnis.isEmpty();
  }

  public int ipsAdded() {
    return assign.stream().mapToInt(Assign::count).sum()
        + create.stream().mapToInt(CreateEni::ips).sum();
  }

  public int ipsRemoved() {
    return unassign.stream().mapToInt(u -> u.ips().size()).sum();
  }
}
