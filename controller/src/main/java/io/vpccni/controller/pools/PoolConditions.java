package io.vpccni.controller.pools;

import io.vpccni.cloud.CloudException;
import io.vpccni.controller.plan.PoolPlan;
import io.vpccni.crd.NodeEniSpec;
import io.vpccni.crd.SubnetPool;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The reasons a pool of a node is short of IPs, with messages that name the node, the pool and what
 * to do. The same reasons are the NodeENI's {@code spec.conditions}, the Events on the Node, and
 * (via the agent) the Events on waiting pods; docs/events.md lists them.
 */
public final class PoolConditions {
  public static final String SUBNET_EXHAUSTED = "SubnetExhausted";
  public static final String ENI_QUOTA_REACHED = "EniQuotaReached";
  public static final String MAX_IPS_REACHED = "MaxIpsReached";
  public static final String CLOUD_THROTTLED = "CloudThrottled";
  public static final String CLOUD_ERROR = "CloudError";
  public static final String ENI_ATTACHING = "EniAttaching";
  public static final String SUBNET_POOL_NOT_FOUND = "SubnetPoolNotFound";
  public static final String NO_SUBNET_IN_ZONE = "NoSubnetInZone";

  private final List<NodeEniSpec.PoolCondition> list = new ArrayList<>();
  private final String node;

  public PoolConditions(String node) {
    this.node = node;
  }

  /** The plan could not reach its target. */
  public void limit(String pool, PoolPlan plan) {
    switch (plan.limit()) {
      case ENI_LIMIT ->
          add(
              pool,
              ENI_QUOTA_REACHED,
              "node "
                  + node
                  + " has no ENI slot or IP left for pool "
                  + SubnetPool.display(pool)
                  + " ("
                  + plan.reason()
                  + "); schedule the pods elsewhere, use a larger instance type, or lower warmIps/warmEnis");
      case MAX_IPS ->
          add(
              pool,
              MAX_IPS_REACHED,
              "the controller's warmPool.maxIps caps pool "
                  + SubnetPool.display(pool)
                  + " on node "
                  + node
                  + " ("
                  + plan.reason()
                  + "); raise warmPool.maxIps in the controller config");
      case NONE -> {}
    }
  }

  /** A cloud call for the pool failed (or could not be made). */
  public void failure(String pool, RuntimeException e) {
    String p = SubnetPool.display(pool);
    if (e instanceof PoolUnservableException u) {
      add(pool, u.reason(), u.getMessage() + "; add a subnet of zone of node " + node + " to it");
      return;
    }
    if (e instanceof CloudException c) {
      switch (c.reason()) {
        case INSUFFICIENT_ADDRESSES -> {
          add(
              pool,
              SUBNET_EXHAUSTED,
              "no subnet of pool "
                  + p
                  + " has free addresses for node "
                  + node
                  + " ("
                  + c.getMessage()
                  + "); add a subnet to the pool, free addresses in it, or move the pods to another pool");
          return;
        }
        case QUOTA_EXCEEDED -> {
          add(
              pool,
              ENI_QUOTA_REACHED,
              "the cloud refused another ENI or IP for pool "
                  + p
                  + " on node "
                  + node
                  + " ("
                  + c.getMessage()
                  + "); raise the account's ENI quota or use a larger instance type");
          return;
        }
        case THROTTLED -> {
          add(
              pool,
              CLOUD_THROTTLED,
              "the cloud API throttles the controller while it adds IPs for pool "
                  + p
                  + " on node "
                  + node
                  + "; it retries with backoff, nothing to do unless this lasts (then lower cloudCallsPerSecond or raise the account's API limit)");
          return;
        }
        default -> {}
      }
    }
    add(
        pool,
        CLOUD_ERROR,
        "adding IPs for pool "
            + p
            + " on node "
            + node
            + " failed: "
            + e.getMessage()
            + "; the controller retries; see its log if this lasts");
  }

  /** An ENI of the pool is still attaching. */
  public void attaching(String pool) {
    add(
        pool,
        ENI_ATTACHING,
        "an ENI for pool "
            + SubnetPool.display(pool)
            + " is attaching to node "
            + node
            + "; pods get addresses once it is attached, usually within seconds");
  }

  /** Pods wait for a pool that has no SubnetPool object. */
  public void notFound(String pool) {
    add(
        pool,
        SUBNET_POOL_NOT_FOUND,
        "pods on node "
            + node
            + " wait for SubnetPool "
            + pool
            + ", which does not exist; create it or fix the pods' vpc-cni.io/subnet-pool annotation");
  }

  private void add(String pool, String reason, String message) {
    for (NodeEniSpec.PoolCondition c : list) {
      if (c.pool.equals(pool) && c.reason.equals(reason)) {
        return;
      }
    }
    NodeEniSpec.PoolCondition c = new NodeEniSpec.PoolCondition();
    c.pool = pool;
    c.reason = reason;
    c.message = message;
    list.add(c);
  }

  /**
   * The conditions, each keeping the {@code since} and message of the same pool and reason in
   * {@code old} (so that a lasting condition does not rewrite the spec), else since {@code now}.
   */
  public List<NodeEniSpec.PoolCondition> merged(List<NodeEniSpec.PoolCondition> old, String now) {
    List<NodeEniSpec.PoolCondition> out = new ArrayList<>();
    for (NodeEniSpec.PoolCondition c : list) {
      c.since = now;
      for (NodeEniSpec.PoolCondition o : old == null ? List.<NodeEniSpec.PoolCondition>of() : old) {
        if (Objects.equals(o.pool, c.pool) && Objects.equals(o.reason, c.reason)) {
          c.since = o.since;
          c.message = o.message; // same cause, same words: a changed count rewrites nothing
        }
      }
      out.add(c);
    }
    return out;
  }

  public List<NodeEniSpec.PoolCondition> list() {
    return List.copyOf(list);
  }
}
