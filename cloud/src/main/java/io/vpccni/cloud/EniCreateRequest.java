package io.vpccni.cloud;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What {@link VpcApi#createEni} creates: an unattached ENI in a subnet.
 *
 * @param subnetId the subnet to take the primary (and any secondary) addresses from
 * @param securityGroups security group ids; empty means the provider's default
 * @param tags key/value tags, normally {@link OwnershipTags#toMap()} plus the controller's own
 * @param description free text shown in the cloud console
 * @param secondaryIpCount secondary IPs to assign in the same call (0 for none), which saves an
 *     {@link VpcApi#assignIps} call when a pool grows
 */
public record EniCreateRequest(
    String subnetId,
    List<String> securityGroups,
    Map<String, String> tags,
    String description,
    int secondaryIpCount) {

  public EniCreateRequest {
    Objects.requireNonNull(subnetId, "subnetId");
    securityGroups = List.copyOf(securityGroups);
    tags = Collections.unmodifiableMap(new TreeMap<>(tags));
    description = description == null ? "" : description;
    if (secondaryIpCount < 0) {
      throw new IllegalArgumentException("secondaryIpCount must be >= 0, not " + secondaryIpCount);
    }
  }

  /** A request with no secondary IPs. */
  public EniCreateRequest(
      String subnetId, List<String> securityGroups, Map<String, String> tags, String description) {
    this(subnetId, securityGroups, tags, description, 0);
  }

  /** The same request asking for {@code count} secondary IPs at creation. */
  public EniCreateRequest withSecondaryIps(int count) {
    return new EniCreateRequest(subnetId, securityGroups, tags, description, count);
  }
}
