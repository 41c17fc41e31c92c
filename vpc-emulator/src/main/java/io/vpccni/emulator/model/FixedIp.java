package io.vpccni.emulator.model;

/** One entry of a port's {@code fixed_ips}: an address and the subnet it was allocated from. */
public record FixedIp(String subnetId, String ipAddress) {}
