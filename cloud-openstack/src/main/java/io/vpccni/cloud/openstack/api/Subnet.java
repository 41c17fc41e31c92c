package io.vpccni.cloud.openstack.api;

import io.vpccni.netaddr.IpAddress;
import io.vpccni.netaddr.IpPrefix;
import java.util.List;

/** A Neutron subnet, the fields this project reads. {@code gatewayIp} may be null. */
public record Subnet(
    String id,
    String name,
    String networkId,
    int ipVersion,
    IpPrefix cidr,
    IpAddress gatewayIp,
    List<AllocationPool> allocationPools,
    boolean enableDhcp,
    String projectId,
    List<String> tags) {
  public Subnet {
    allocationPools = List.copyOf(allocationPools);
    tags = List.copyOf(tags);
  }
}
