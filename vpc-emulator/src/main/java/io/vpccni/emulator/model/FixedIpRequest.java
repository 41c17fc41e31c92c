package io.vpccni.emulator.model;

/**
 * One requested entry of {@code fixed_ips}: a subnet, an address, or both. An entry with only a
 * subnet gets a free address from that subnet's pools; one with only an address gets the subnet of
 * the port's network that contains it.
 */
public record FixedIpRequest(String subnetId, String ipAddress) {}
