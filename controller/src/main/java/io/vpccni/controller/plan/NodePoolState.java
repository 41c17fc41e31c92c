package io.vpccni.controller.plan;

import io.vpccni.netaddr.IpAddress;
import java.util.List;
import java.util.Set;

/**
 * What the controller knows of one node when it plans.
 *
 * @param node the node's name
 * @param maxEnis ENIs the instance type allows, the primary included
 * @param ipsPerEni IPs per ENI the instance type allows, the ENI's primary IP included
 * @param enis the node's secondary ENIs (attached or attaching)
 * @param inUse IPs the agent reports held by pods
 * @param cooling IPs the agent reports in their reuse cooldown
 * @param demand pods the agent reports waiting for an IP
 */
public record NodePoolState(
    String node,
    int maxEnis,
    int ipsPerEni,
    List<Eni> enis,
    Set<IpAddress> inUse,
    Set<IpAddress> cooling,
    int demand) {
  public NodePoolState {
    enis = List.copyOf(enis);
    inUse = Set.copyOf(inUse);
    cooling = Set.copyOf(cooling);
  }

  /**
   * One secondary ENI.
   *
   * @param ready attached and usable; an attaching ENI counts as capacity but gets no new IPs yet
   */
  public record Eni(String id, int deviceIndex, List<IpAddress> ips, boolean ready) {
    public Eni {
      ips = List.copyOf(ips);
    }
  }
}
