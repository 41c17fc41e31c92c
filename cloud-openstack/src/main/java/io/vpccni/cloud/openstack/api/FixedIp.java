package io.vpccni.cloud.openstack.api;

import io.vpccni.netaddr.IpAddress;
import java.util.Objects;

/**
 * One entry of a port's {@code fixed_ips}. In a request, a null {@code ipAddress} asks Neutron to
 * pick a free address of the subnet; in a response both are set.
 */
public record FixedIp(String subnetId, IpAddress ipAddress) {
  public FixedIp {
    Objects.requireNonNull(subnetId, "subnetId");
  }

  /** Asks for any free address of the subnet. */
  public static FixedIp anyIn(String subnetId) {
    return new FixedIp(subnetId, null);
  }

  @Override
  public String toString() {
    return (ipAddress == null ? "any" : ipAddress.toString()) + "@" + subnetId;
  }
}
