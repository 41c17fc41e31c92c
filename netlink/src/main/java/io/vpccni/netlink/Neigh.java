package io.vpccni.netlink;

import io.vpccni.netaddr.IpAddress;
import io.vpccni.netaddr.MacAddress;

/**
 * A neighbour (ARP/NDP) entry, printed as {@code ip neigh} does ({@code 169.254.1.1 dev 3 lladdr
 * 02:.. PERMANENT}).
 *
 * @param state NUD_* bits (NUD_PERMANENT = 0x80)
 */
public record Neigh(int linkIndex, IpAddress ip, MacAddress mac, int state) {
  public static final int NUD_PERMANENT = 0x80;

  public static Neigh permanent(int linkIndex, IpAddress ip, MacAddress mac) {
    return new Neigh(linkIndex, ip, mac, NUD_PERMANENT);
  }

  public boolean isPermanent() {
    return (state & NUD_PERMANENT) != 0;
  }

  @Override
  public String toString() {
    return ip + " dev " + linkIndex + (mac == null ? "" : " lladdr " + mac) + " " + stateName();
  }

  /** The state as {@code ip neigh} names it ("PERMANENT", "REACHABLE STALE" for several bits). */
  private String stateName() {
    if (state == 0) {
      return "NONE";
    }
    String[] names = {
      "INCOMPLETE", "REACHABLE", "STALE", "DELAY", "PROBE", "FAILED", "NOARP", "PERMANENT"
    };
    StringBuilder sb = new StringBuilder();
    for (int bit = 0; bit < names.length; bit++) {
      if ((state & (1 << bit)) != 0) {
        sb.append(sb.isEmpty() ? "" : " ").append(names[bit]);
      }
    }
    return sb.isEmpty() ? "state 0x" + Integer.toHexString(state) : sb.toString();
  }
}
