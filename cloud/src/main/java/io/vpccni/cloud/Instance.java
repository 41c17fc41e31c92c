package io.vpccni.cloud;

import java.util.List;
import java.util.Objects;

/**
 * A VM that is (or may become) a Kubernetes node, with the limits that size its pod pool.
 *
 * @param id the provider's instance id
 * @param type instance type or flavor name ({@code m5.large})
 * @param availabilityZone where it runs; ENIs attached to it must come from subnets in this zone
 *     (empty when the cloud has no zones)
 * @param eniQuota the most ENIs the instance can have attached, the primary ENI included
 * @param ipsPerEni the most secondary IPs one ENI can hold on this instance, the primary IP not
 *     counted; shared-mode capacity is {@code (eniQuota - 1) × ipsPerEni}
 * @param primaryEniId the ENI at device index 0, the node's own interface
 * @param subnetId the primary ENI's subnet
 * @param securityGroups the primary ENI's security groups (the default for new ENIs)
 */
public record Instance(
    String id,
    String type,
    String availabilityZone,
    int eniQuota,
    int ipsPerEni,
    String primaryEniId,
    String subnetId,
    List<String> securityGroups) {

  public Instance {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(type, "type");
    availabilityZone = availabilityZone == null ? "" : availabilityZone;
    if (eniQuota < 1) {
      throw new IllegalArgumentException("eniQuota must be >= 1, not " + eniQuota);
    }
    if (ipsPerEni < 0) {
      throw new IllegalArgumentException("ipsPerEni must be >= 0, not " + ipsPerEni);
    }
    Objects.requireNonNull(primaryEniId, "primaryEniId");
    Objects.requireNonNull(subnetId, "subnetId");
    securityGroups = List.copyOf(securityGroups);
  }

  /** Pod IPs the instance can hold in shared-ENI mode: {@code (eniQuota - 1) × ipsPerEni}. */
  public int sharedModeCapacity() {
    return (eniQuota - 1) * ipsPerEni;
  }

  @Override
  public String toString() {
    return id
        + " "
        + type
        + (availabilityZone.isEmpty() ? "" : " zone " + availabilityZone)
        + " enis "
        + eniQuota
        + " x ips "
        + ipsPerEni
        + " primary "
        + primaryEniId
        + " "
        + subnetId;
  }
}
