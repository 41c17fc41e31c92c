package io.vpccni.netlink;

import io.vpccni.netaddr.IpPrefix;

/**
 * An interface address, printed as {@code ip addr} does: {@code 10.0.1.5/32 dev 7 scope global}.
 */
public record Addr(int linkIndex, IpPrefix prefix, Scope scope) {
  public Addr(int linkIndex, IpPrefix prefix) {
    this(linkIndex, prefix, Scope.UNIVERSE);
  }

  @Override
  public String toString() {
    return prefix + " dev " + linkIndex + " scope " + scope;
  }
}
