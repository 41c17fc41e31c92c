package io.vpccni.emulator.model;

import java.util.List;

/**
 * The attributes of a port create or update. A null field is "not given": on create it takes the
 * Neutron default, on update it leaves the attribute unchanged. Lists replace the whole attribute.
 */
public record PortSpec(
    String networkId,
    String name,
    String description,
    String macAddress,
    Boolean adminStateUp,
    String deviceId,
    String deviceOwner,
    String hostId,
    List<FixedIpRequest> fixedIps,
    List<AddressPair> allowedAddressPairs,
    List<String> securityGroups,
    List<String> tags) {}
