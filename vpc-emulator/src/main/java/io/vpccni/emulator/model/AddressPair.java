package io.vpccni.emulator.model;

/** One entry of a port's {@code allowed_address_pairs}: an address or CIDR and a MAC. */
public record AddressPair(String ipAddress, String macAddress) {}
