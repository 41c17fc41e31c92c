package io.vpccni.cloud.openstack.api;

/**
 * One subnet's entry of {@code network_ip_availability.subnet_ip_availability}: {@code totalIps}
 * counts the allocation pools, {@code usedIps} the allocated addresses.
 */
public record SubnetIpAvailability(String subnetId, long totalIps, long usedIps) {

  /** Addresses still free, never negative. */
  public long freeIps() {
    return Math.max(0, totalIps - usedIps);
  }
}
