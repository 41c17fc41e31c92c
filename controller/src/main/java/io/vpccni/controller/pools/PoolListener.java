package io.vpccni.controller.pools;

import io.vpccni.controller.plan.PoolPlan;

/** Told what the pool loop did: the seam for the controller's metrics. Must be quick. */
public interface PoolListener {
  PoolListener NONE = new PoolListener() {};

  /** One sync of one node ended, successfully or not. */
  default void synced(String node, boolean ok, long nanos) {}

  /** A plan's cloud calls were made (assigns and create-attaches; releases enter the handshake). */
  default void applied(String node, PoolPlan plan) {}

  /** An ENI was deleted after its IPs were released, or because its node is gone. */
  default void eniDeleted(String node) {}

  /** IPs went back to the cloud after the agent acknowledged their release. */
  default void ipsUnassigned(String node, int count) {}

  /** The nodes with a pool right now. */
  default void nodes(int count) {}
}
