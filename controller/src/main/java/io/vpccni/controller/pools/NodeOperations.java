package io.vpccni.controller.pools;

import io.vpccni.crd.NodeEniSpec;
import io.vpccni.netaddr.IpAddress;
import java.util.List;

/**
 * What the pool loop needs from a cloud for one node, and nothing more (the seam between pool
 * policy and a provider; cf. cilium's {@code NodeOperations}). Implementations translate to one
 * cloud's API and map its errors; they decide nothing.
 */
public interface NodeOperations {

  /** The node's instance as the cloud knows it; empty if the cloud does not know the node. */
  java.util.Optional<Instance> instance(String node);

  /** The node's secondary ENIs as the cloud has them now (the source of truth for the spec). */
  List<NodeEniSpec.Eni> enis(String node);

  /** Assigns {@code count} new secondary IPs to the ENI; returns those assigned. */
  List<IpAddress> assignIps(String node, String eniId, int count);

  /** Assigns exactly these addresses to the ENI (a fixed IP moving to this node); returns them. */
  default List<IpAddress> assignIps(String node, String eniId, List<IpAddress> ips) {
    throw new UnsupportedOperationException("this cloud cannot assign given addresses");
  }

  /**
   * Creates an ENI in the node's subnet, tagged as ours, with {@code ips} secondary IPs, and
   * attaches it at {@code deviceIndex}, as one unit: if the attach fails the ENI is deleted (or
   * left tagged for GC when even that fails).
   */
  NodeEniSpec.Eni createAndAttachEni(String node, int deviceIndex, int ips);

  /**
   * Creates and attaches an ENI for one pool: the default pool's as {@link
   * #createAndAttachEni(String, int, int)}; another pool's in the subnet of the pool with the most
   * free addresses in the node's zone, with the pool's security groups, tagged with the pool's
   * name.
   */
  default NodeEniSpec.Eni createAndAttachEni(
      String node, int deviceIndex, int ips, PoolTarget target) {
    if (target.isDefault()) {
      return createAndAttachEni(node, deviceIndex, ips);
    }
    throw new UnsupportedOperationException("this cloud has no SubnetPool support");
  }

  /** Unassigns these secondary IPs from the ENI. */
  void unassignIps(String node, String eniId, List<IpAddress> ips);

  /** Detaches and deletes the ENI. */
  void deleteEni(String node, String eniId);

  /**
   * A subnet with its free-address count as the cloud reports it now (one cloud call; the caller
   * caches); empty if the cloud does not know it or the provider cannot tell.
   */
  default java.util.Optional<NodeEniSpec.Subnet> subnet(String subnetId) {
    return java.util.Optional.empty();
  }

  /**
   * The instance facts the planner needs.
   *
   * @param subnetId the subnet new ENIs go into, or null if unknown
   */
  record Instance(
      String instanceId, String instanceType, int maxEnis, int ipsPerEni, String subnetId) {
    public Instance(String instanceId, String instanceType, int maxEnis, int ipsPerEni) {
      this(instanceId, instanceType, maxEnis, ipsPerEni, null);
    }
  }
}
