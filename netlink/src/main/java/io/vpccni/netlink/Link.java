package io.vpccni.netlink;

import io.vpccni.netaddr.MacAddress;

/**
 * A network interface as {@code ip -d link} shows it.
 *
 * @param index ifindex in its namespace
 * @param name IFLA_IFNAME
 * @param kind IFLA_INFO_KIND ("veth", "macvlan", "ipvlan", "vlan", "bridge", ...; "" for a physical
 *     device or loopback)
 * @param mac IFLA_ADDRESS (null when the device has none)
 * @param mtu IFLA_MTU
 * @param flags ifi_flags (IFF_UP = 0x1, IFF_RUNNING = 0x40, IFF_LOWER_UP = 0x10000)
 * @param parentIndex IFLA_LINK: the peer of a veth, or the parent of a macvlan/ipvlan/vlan (0 if
 *     none; may name an index in another namespace)
 * @param masterIndex IFLA_MASTER (0 if none)
 */
public record Link(
    int index,
    String name,
    String kind,
    MacAddress mac,
    int mtu,
    int flags,
    int parentIndex,
    int masterIndex) {
  public static final int IFF_UP = 0x1;

  public boolean isUp() {
    return (flags & IFF_UP) != 0;
  }

  @Override
  public String toString() {
    return index
        + ": "
        + name
        + (kind.isEmpty() ? "" : " type " + kind)
        + " mtu "
        + mtu
        + (isUp() ? " UP" : " DOWN")
        + (mac == null ? "" : " link/ether " + mac);
  }
}
