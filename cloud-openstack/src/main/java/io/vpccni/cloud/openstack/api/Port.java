package io.vpccni.cloud.openstack.api;

import io.vpccni.netaddr.MacAddress;
import java.util.List;

/**
 * A Neutron port, the fields this project reads. {@code hostId} and {@code vifType} are the {@code
 * binding:host_id} and {@code binding:vif_type} attributes (empty when the caller may not see
 * them); {@code revisionNumber} is the {@code standard-attr-revisions} counter.
 */
public record Port(
    String id,
    String name,
    String networkId,
    MacAddress macAddress,
    String status,
    String deviceId,
    String deviceOwner,
    String hostId,
    String vifType,
    List<FixedIp> fixedIps,
    List<AddressPair> allowedAddressPairs,
    List<String> securityGroups,
    String projectId,
    String description,
    long revisionNumber,
    List<String> tags,
    String createdAt) {
  public Port {
    fixedIps = List.copyOf(fixedIps);
    allowedAddressPairs = List.copyOf(allowedAddressPairs);
    securityGroups = List.copyOf(securityGroups);
    tags = List.copyOf(tags);
  }
}
