package io.vpccni.netlink;

import io.vpccni.netaddr.MacAddress;

/**
 * A veth pair to create: {@code name} in the handle's namespace, {@code peerName} in {@code peerNs}
 * (created there directly with IFLA_NET_NS_FD, so no rename or move is needed).
 *
 * @param peerNs namespace for the peer, or null for the handle's own
 * @param mtu 0 for the kernel default
 * @param mac MAC for {@code name}, or null for a random one
 * @param peerMac MAC for the peer, or null for a random one
 */
public record VethSpec(
    String name, String peerName, Netns peerNs, int mtu, MacAddress mac, MacAddress peerMac) {
  public VethSpec(String name, String peerName, Netns peerNs, int mtu) {
    this(name, peerName, peerNs, mtu, null, null);
  }
}
