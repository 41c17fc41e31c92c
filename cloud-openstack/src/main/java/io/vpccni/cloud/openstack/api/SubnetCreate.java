package io.vpccni.cloud.openstack.api;

import io.vpccni.netaddr.IpAddress;
import io.vpccni.netaddr.IpPrefix;
import java.util.List;
import java.util.Objects;

/**
 * Body of {@code POST /v2.0/subnets}. A null {@code gatewayIp} and empty {@code allocationPools}
 * leave Neutron's defaults (first address; the whole CIDR minus gateway and broadcast). {@code
 * ip_version} follows the CIDR.
 */
public record SubnetCreate(
    String networkId,
    String name,
    IpPrefix cidr,
    IpAddress gatewayIp,
    List<AllocationPool> allocationPools,
    boolean enableDhcp) {
  public SubnetCreate {
    Objects.requireNonNull(networkId, "networkId");
    Objects.requireNonNull(cidr, "cidr");
    allocationPools = List.copyOf(allocationPools);
  }

  /** A subnet with Neutron's default gateway and pools, DHCP off. */
  public static SubnetCreate of(String networkId, String name, IpPrefix cidr) {
    return new SubnetCreate(networkId, name, cidr, null, List.of(), false);
  }

  public SubnetCreate withGateway(IpAddress gateway) {
    return new SubnetCreate(networkId, name, cidr, gateway, allocationPools, enableDhcp);
  }

  public SubnetCreate withAllocationPools(List<AllocationPool> pools) {
    return new SubnetCreate(networkId, name, cidr, gatewayIp, pools, enableDhcp);
  }
}
