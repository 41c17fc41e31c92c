package io.vpccni.cloud;

import io.vpccni.netaddr.IpPrefix;
import java.util.Objects;

/**
 * A VPC subnet that ENIs and their IPs come from.
 *
 * @param id the provider's subnet id
 * @param cidr the subnet's prefix
 * @param availabilityZone its zone (empty when the cloud has no zones)
 * @param availableIps addresses still free for ENIs and secondary IPs, as the cloud counts them
 *     (reserved addresses excluded)
 */
public record Subnet(String id, IpPrefix cidr, String availabilityZone, long availableIps) {
  public Subnet {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(cidr, "cidr");
    availabilityZone = availabilityZone == null ? "" : availabilityZone;
    if (availableIps < 0) {
      throw new IllegalArgumentException("availableIps must be >= 0, not " + availableIps);
    }
  }

  @Override
  public String toString() {
    return id
        + " "
        + cidr
        + (availabilityZone.isEmpty() ? "" : " zone " + availabilityZone)
        + " free "
        + availableIps;
  }
}
