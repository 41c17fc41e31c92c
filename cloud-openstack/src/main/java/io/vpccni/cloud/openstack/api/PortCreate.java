package io.vpccni.cloud.openstack.api;

import java.util.List;
import java.util.Objects;

/**
 * Body of {@code POST /v2.0/ports}. Null or empty fields are not sent, so Neutron's defaults apply
 * (one address from the network's first subnet, the default security group, no binding). {@code
 * hostId} is {@code binding:host_id}. {@code tags} are sent in the body, which Neutron honours only
 * with the extension {@code tag-ports-during-bulk-creation} (ML2 extension driver {@code
 * tag_ports_during_bulk_creation}); without it Zed DROPS them SILENTLY (201, {@code "tags": []},
 * verified on the real server), so check {@link NeutronClient#listExtensions()} or tag after
 * creating.
 */
public record PortCreate(
    String networkId,
    String name,
    String description,
    List<FixedIp> fixedIps,
    String deviceId,
    String deviceOwner,
    String hostId,
    List<String> securityGroups,
    List<String> tags) {
  public PortCreate {
    Objects.requireNonNull(networkId, "networkId");
    fixedIps = fixedIps == null ? null : List.copyOf(fixedIps);
    securityGroups = securityGroups == null ? null : List.copyOf(securityGroups);
    tags = tags == null ? null : List.copyOf(tags);
  }

  /** A port on the network with every other field left to Neutron. */
  public static PortCreate on(String networkId) {
    return new PortCreate(networkId, null, null, null, null, null, null, null, null);
  }

  public PortCreate withName(String value) {
    return new PortCreate(
        networkId,
        value,
        description,
        fixedIps,
        deviceId,
        deviceOwner,
        hostId,
        securityGroups,
        tags);
  }

  public PortCreate withDescription(String value) {
    return new PortCreate(
        networkId, name, value, fixedIps, deviceId, deviceOwner, hostId, securityGroups, tags);
  }

  public PortCreate withFixedIps(List<FixedIp> value) {
    return new PortCreate(
        networkId, name, description, value, deviceId, deviceOwner, hostId, securityGroups, tags);
  }

  public PortCreate withDevice(String id, String owner) {
    return new PortCreate(
        networkId, name, description, fixedIps, id, owner, hostId, securityGroups, tags);
  }

  public PortCreate withHostId(String value) {
    return new PortCreate(
        networkId, name, description, fixedIps, deviceId, deviceOwner, value, securityGroups, tags);
  }

  public PortCreate withSecurityGroups(List<String> value) {
    return new PortCreate(
        networkId, name, description, fixedIps, deviceId, deviceOwner, hostId, value, tags);
  }

  public PortCreate withTags(List<String> value) {
    return new PortCreate(
        networkId,
        name,
        description,
        fixedIps,
        deviceId,
        deviceOwner,
        hostId,
        securityGroups,
        value);
  }
}
