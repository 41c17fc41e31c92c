package io.vpccni.cloud.openstack.api;

import io.vpccni.netaddr.MacAddress;
import java.util.Objects;

/**
 * One entry of a port's {@code allowed_address_pairs}: an address or prefix (Neutron accepts both,
 * e.g. {@code 10.10.50.0/24}) and an optional MAC (Neutron fills in the port's own when absent).
 */
public record AddressPair(String ipAddress, MacAddress macAddress) {
  public AddressPair {
    Objects.requireNonNull(ipAddress, "ipAddress");
  }

  public static AddressPair of(String ipAddressOrPrefix) {
    return new AddressPair(ipAddressOrPrefix, null);
  }
}
