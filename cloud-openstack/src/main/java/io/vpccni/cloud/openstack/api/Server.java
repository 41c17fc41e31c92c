package io.vpccni.cloud.openstack.api;

/**
 * A Nova server, the fields this project reads. {@code flavorName} is {@code flavor.original_name}
 * (microversion 2.47+, and the emulator) or else {@code flavor.id}; {@code availabilityZone} is
 * {@code OS-EXT-AZ:availability_zone} (empty when hidden).
 */
public record Server(
    String id,
    String name,
    String status,
    String flavorName,
    String host,
    String availabilityZone) {}
