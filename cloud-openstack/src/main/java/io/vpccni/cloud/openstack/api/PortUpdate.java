package io.vpccni.cloud.openstack.api;

import java.util.List;

/**
 * Body of {@code PUT /v2.0/ports/{id}}: only the non-null fields are sent. {@code fixedIps} and
 * {@code allowedAddressPairs} REPLACE the port's whole list (Neutron has no add/remove of one
 * entry), which is why concurrent writers of one port lose updates; see {@link
 * PortWriteSerializer}. An empty string clears {@code deviceId}, {@code deviceOwner} or {@code
 * hostId} ({@code binding:host_id}).
 */
public record PortUpdate(
    List<FixedIp> fixedIps,
    List<AddressPair> allowedAddressPairs,
    String deviceId,
    String deviceOwner,
    String hostId,
    String name,
    String description) {
  public PortUpdate {
    fixedIps = fixedIps == null ? null : List.copyOf(fixedIps);
    allowedAddressPairs = allowedAddressPairs == null ? null : List.copyOf(allowedAddressPairs);
  }

  private static final PortUpdate NONE = new PortUpdate(null, null, null, null, null, null, null);

  /** Replaces {@code fixed_ips} with exactly this list. */
  public static PortUpdate fixedIps(List<FixedIp> value) {
    return NONE.withFixedIps(value);
  }

  /** Replaces {@code allowed_address_pairs} with exactly this list. */
  public static PortUpdate allowedAddressPairs(List<AddressPair> value) {
    return NONE.withAllowedAddressPairs(value);
  }

  public static PortUpdate device(String id, String owner) {
    return NONE.withDevice(id, owner);
  }

  public static PortUpdate hostId(String value) {
    return NONE.withHostId(value);
  }

  public PortUpdate withFixedIps(List<FixedIp> value) {
    return new PortUpdate(
        value, allowedAddressPairs, deviceId, deviceOwner, hostId, name, description);
  }

  public PortUpdate withAllowedAddressPairs(List<AddressPair> value) {
    return new PortUpdate(fixedIps, value, deviceId, deviceOwner, hostId, name, description);
  }

  public PortUpdate withDevice(String id, String owner) {
    return new PortUpdate(fixedIps, allowedAddressPairs, id, owner, hostId, name, description);
  }

  public PortUpdate withHostId(String value) {
    return new PortUpdate(
        fixedIps, allowedAddressPairs, deviceId, deviceOwner, value, name, description);
  }

  public PortUpdate withName(String value) {
    return new PortUpdate(
        fixedIps, allowedAddressPairs, deviceId, deviceOwner, hostId, value, description);
  }
}
