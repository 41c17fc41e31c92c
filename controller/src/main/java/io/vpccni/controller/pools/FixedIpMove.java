package io.vpccni.controller.pools;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.vpccni.crd.NodeEni;
import io.vpccni.crd.NodeEniSpec;
import io.vpccni.crd.SubnetPool;
import io.vpccni.netaddr.IpAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One fixed IP's move between nodes, in cloud calls: find an ENI of the new node in the same subnet
 * and pool with a free slot (the one with the most addresses already, so ENIs stay packed), or
 * create and attach one when the node has a free ENI slot; then unassign the address from the old
 * node's ENI and assign exactly that address to the new one. It updates both nodes' cloud records
 * as it goes; it decides nothing about whether the move is allowed (the caller does).
 */
public final class FixedIpMove {
  private static final Logger logger = LoggerFactory.getLogger(FixedIpMove.class);

  private final NodeOperations ops;
  private final KubernetesClient kube;

  /** Where the address went: the new ENI, and the ENI it left (null if none held it). */
  public record Moved(String eniId, String fromEniId) {}

  /** A move that failed; {@link #unassigned()} says whether the address already left its ENI. */
  public static final class MoveFailedException extends RuntimeException {
    private final boolean unassigned;

    MoveFailedException(String message, boolean unassigned, Throwable cause) {
      super(message, cause);
      this.unassigned = unassigned;
    }

    public boolean unassigned() {
      return unassigned;
    }
  }

  FixedIpMove(NodeOperations ops, KubernetesClient kube) {
    this.ops = ops;
    this.kube = kube;
  }

  Moved run(
      String from,
      CloudRecord fromRecord,
      String to,
      CloudRecord toRecord,
      IpAddress ip,
      String subnetId,
      String pool) {
    if (to.equals(from) && fromRecord != null) {
      for (NodeEniSpec.Eni e : fromRecord.enis()) {
        if (e.ips.contains(ip.toString())) {
          return new Moved(e.id, e.id); // already there
        }
      }
    }
    // The target ENI first: an ENI created after the unassign could get the address as its own
    // primary IP (a cloud hands out the lowest free address), and the move would be lost.
    String eniId;
    try {
      eniId = target(to, toRecord, subnetId, pool);
    } catch (RuntimeException e) {
      throw new MoveFailedException(
          "failed to move fixed IP " + ip + " to node " + to + ": " + e.getMessage(), false, e);
    }
    String fromEni = null;
    if (fromRecord != null) {
      for (NodeEniSpec.Eni e : fromRecord.enis()) {
        if (e.ips.contains(ip.toString())) {
          ops.unassignIps(from, e.id, List.of(ip));
          fromRecord.unassigned(e.id, List.of(ip.toString()));
          fromEni = e.id;
          logger.info("fixed IP {} unassigned from ENI {} of node {}", ip, e.id, from);
        }
      }
    }
    try {
      List<IpAddress> got = ops.assignIps(to, eniId, List.of(ip));
      toRecord.assigned(eniId, got);
      logger.info("fixed IP {} assigned to ENI {} of node {}", ip, eniId, to);
      return new Moved(eniId, fromEni);
    } catch (RuntimeException e) {
      throw new MoveFailedException(
          "failed to move fixed IP " + ip + " to node " + to + ": " + e.getMessage(),
          fromEni != null,
          e);
    }
  }

  /** An ENI of {@code node} in the subnet and pool with a free slot, made if need be. */
  private String target(String node, CloudRecord record, String subnetId, String pool) {
    NodeOperations.Instance inst =
        ops.instance(node)
            .orElseThrow(() -> new IllegalStateException("node " + node + " has no instance"));
    Set<String> detaching = new HashSet<>();
    NodeEni ne = kube.resources(NodeEni.class).withName(node).get();
    if (ne != null && ne.getSpec() != null) {
      ne.getSpec().enis.stream()
          .filter(e -> "Detaching".equals(e.state))
          .forEach(e -> detaching.add(e.id));
    }
    List<NodeEniSpec.Eni> enis = record.enis();
    NodeEniSpec.Eni best = null;
    for (NodeEniSpec.Eni e : enis) {
      boolean fits =
          !detaching.contains(e.id)
              && subnetId.equals(e.subnetId)
              && pool.equals(e.pool == null ? "" : e.pool)
              && e.ips.size() < inst.ipsPerEni();
      if (fits && (best == null || e.ips.size() > best.ips.size())) {
        best = e;
      }
    }
    if (best != null) {
      return best.id;
    }
    if (enis.size() >= inst.maxEnis() - 1) {
      throw new IllegalStateException(
          "node "
              + node
              + " has no ENI of subnet "
              + subnetId
              + " with a free address slot and no free ENI slot ("
              + enis.size()
              + " of "
              + (inst.maxEnis() - 1)
              + " ENIs)");
    }
    PoolTarget target;
    if (pool.isEmpty()) {
      if (!subnetId.equals(inst.subnetId())) {
        throw new IllegalStateException(
            "node "
                + node
                + " is in subnet "
                + inst.subnetId()
                + ", not the fixed IP's subnet "
                + subnetId
                + ", and has no ENI there");
      }
      target = PoolTarget.DEFAULT;
    } else {
      SubnetPool sp = kube.resources(SubnetPool.class).withName(pool).get();
      List<String> groups =
          sp == null || sp.getSpec() == null ? List.of() : sp.getSpec().securityGroups;
      target = new PoolTarget(pool, List.of(subnetId), groups);
    }
    Set<Integer> used = new HashSet<>();
    enis.forEach(e -> used.add(e.deviceIndex));
    int index = 1;
    while (used.contains(index)) {
      index++;
    }
    NodeEniSpec.Eni made = ops.createAndAttachEni(node, index, 1, target);
    made.pool = pool;
    record.added(made);
    logger.info("new ENI {} of node {} for fixed IPs of subnet {}", made.id, node, subnetId);
    return made.id;
  }
}
