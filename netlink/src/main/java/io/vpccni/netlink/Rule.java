package io.vpccni.netlink;

import io.vpccni.netaddr.IpPrefix;

/**
 * A policy routing rule, printed as {@code ip rule} does ({@code 1536: from 10.0.1.5 lookup 101}).
 *
 * @param family 2 (AF_INET) or 10 (AF_INET6)
 * @param priority FRA_PRIORITY
 * @param from FRA_SRC, or null for "all"
 * @param to FRA_DST, or null
 * @param iif FRA_IIFNAME, or null
 * @param table the table looked up (FRA_TABLE)
 * @param fwmark FRA_FWMARK, or 0 for none
 * @param fwmask FRA_FWMASK (with a mark: which bits of the packet's mark are compared), or 0
 */
public record Rule(
    int family,
    int priority,
    IpPrefix from,
    IpPrefix to,
    String iif,
    int table,
    long fwmark,
    long fwmask) {

  /** A rule that does not match on the packet's mark. */
  public Rule(int family, int priority, IpPrefix from, IpPrefix to, String iif, int table) {
    this(family, priority, from, to, iif, table, 0, 0);
  }

  public static Rule from(IpPrefix from, int priority, int table) {
    return new Rule(from.address().family(), priority, from, null, null, table);
  }

  public static Rule to(IpPrefix to, int priority, int table) {
    return new Rule(to.address().family(), priority, null, to, null, table);
  }

  /** {@code ip rule add fwmark MARK/MASK lookup TABLE priority PRIORITY} (IPv4). */
  public static Rule fwmark(long mark, long mask, int priority, int table) {
    return new Rule(2, priority, null, null, null, table, mark, mask);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder().append(priority).append(":\tfrom ");
    sb.append(from == null ? "all" : from.isHost() ? from.address().toString() : from.toString());
    if (to != null) {
      sb.append(" to ").append(to.isHost() ? to.address().toString() : to.toString());
    }
    if (iif != null) {
      sb.append(" iif ").append(iif);
    }
    if (fwmark != 0 || fwmask != 0) {
      sb.append(" fwmark 0x").append(Long.toHexString(fwmark));
      if (fwmask != 0 && fwmask != 0xffffffffL) {
        sb.append("/0x").append(Long.toHexString(fwmask));
      }
    }
    sb.append(" lookup ").append(tableName(table));
    return sb.toString();
  }

  private static String tableName(int table) {
    return switch (table) {
      case Route.TABLE_MAIN -> "main";
      case Route.TABLE_LOCAL -> "local";
      case 253 -> "default";
      default -> String.valueOf(table);
    };
  }
}
