package io.vpccni.cloud;

import io.vpccni.netaddr.IpAddress;
import io.vpccni.netaddr.MacAddress;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An elastic network interface as the cloud reports it. Secondary IPs exclude the primary IP; tags
 * print sorted so that logs and test failures are stable.
 *
 * @param id the provider's id ({@code eni-…}, a Neutron port UUID)
 * @param mac the MAC address the node sees on the interface
 * @param subnetId the subnet the ENI's addresses come from
 * @param primaryIp the ENI's own address, never handed to a pod
 * @param secondaryIps the addresses assigned for pods, in assignment order
 * @param securityGroups security group ids
 * @param description free text set at creation
 * @param status attachment state
 * @param attachment the instance and device index, empty when {@link EniStatus#AVAILABLE}
 * @param tags key/value tags (see {@link OwnershipTags})
 * @param createdAt when the cloud created it
 */
public record Eni(
    String id,
    MacAddress mac,
    String subnetId,
    IpAddress primaryIp,
    List<IpAddress> secondaryIps,
    List<String> securityGroups,
    String description,
    EniStatus status,
    Optional<Attachment> attachment,
    Map<String, String> tags,
    Instant createdAt) {

  public Eni {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(mac, "mac");
    Objects.requireNonNull(subnetId, "subnetId");
    Objects.requireNonNull(primaryIp, "primaryIp");
    secondaryIps = List.copyOf(secondaryIps);
    securityGroups = List.copyOf(securityGroups);
    description = description == null ? "" : description;
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(attachment, "attachment");
    tags = Collections.unmodifiableMap(new TreeMap<>(tags));
    Objects.requireNonNull(createdAt, "createdAt");
  }

  /** Whether the ENI is attached to {@code instanceId}. */
  public boolean isAttachedTo(String instanceId) {
    return attachment.map(a -> a.instanceId().equals(instanceId)).orElse(false);
  }

  /** The primary IP followed by the secondary IPs. */
  public List<IpAddress> allIps() {
    var all = new java.util.ArrayList<IpAddress>(secondaryIps.size() + 1);
    all.add(primaryIp);
    all.addAll(secondaryIps);
    return List.copyOf(all);
  }

  /**
   * Prints like {@code eni-0001 02:00:00:00:00:01 subnet-a 10.0.0.5 +[10.0.0.6] in-use i-1 device 1
   * tags {…}}.
   */
  @Override
  public String toString() {
    return id
        + " "
        + mac
        + " "
        + subnetId
        + " "
        + primaryIp
        + " +"
        + secondaryIps
        + " "
        + status.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')
        + attachment.map(a -> " " + a).orElse("")
        + " tags "
        + tags;
  }
}
