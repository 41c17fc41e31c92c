package io.vpccni.netlink;

import io.vpccni.netaddr.IpAddress;
import io.vpccni.netaddr.IpPrefix;

/**
 * A route, printed as {@code ip route} does ({@code default via 169.254.1.1 dev 3 onlink table
 * 101}). Build with {@link #to(IpPrefix)}:
 *
 * <pre>{@code Route.to(IpPrefix.parse("0.0.0.0/0")).via(gw).dev(idx).withOnlink().table(101)}</pre>
 *
 * @param dst destination (0.0.0.0/0 or ::/0 for default)
 * @param gateway RTA_GATEWAY or null
 * @param linkIndex RTA_OIF (0 if none)
 * @param table routing table (254 = main); values above 255 go in RTA_TABLE
 * @param scope rtm_scope; {@link Scope#LINK} for a directly connected route, UNIVERSE otherwise
 * @param protocol rtm_protocol (4 = static, 3 = boot; we write static)
 * @param priority RTA_PRIORITY, the metric (0 = none)
 * @param prefSrc RTA_PREFSRC or null
 * @param onlink RTNH_F_ONLINK: gateway is on the link even if no address covers it
 */
public record Route(
    IpPrefix dst,
    IpAddress gateway,
    int linkIndex,
    int table,
    Scope scope,
    int protocol,
    int priority,
    IpAddress prefSrc,
    boolean onlink) {
  public static final int TABLE_MAIN = 254;
  public static final int TABLE_LOCAL = 255;
  public static final int PROTO_STATIC = 4;

  public static Route to(IpPrefix dst) {
    return new Route(dst, null, 0, TABLE_MAIN, Scope.UNIVERSE, PROTO_STATIC, 0, null, false);
  }

  public Route via(IpAddress gw) {
    return new Route(dst, gw, linkIndex, table, scope, protocol, priority, prefSrc, onlink);
  }

  public Route dev(int index) {
    return new Route(dst, gateway, index, table, scope, protocol, priority, prefSrc, onlink);
  }

  public Route table(int t) {
    return new Route(dst, gateway, linkIndex, t, scope, protocol, priority, prefSrc, onlink);
  }

  public Route scope(Scope s) {
    return new Route(dst, gateway, linkIndex, table, s, protocol, priority, prefSrc, onlink);
  }

  public Route metric(int p) {
    return new Route(dst, gateway, linkIndex, table, scope, protocol, p, prefSrc, onlink);
  }

  public Route src(IpAddress s) {
    return new Route(dst, gateway, linkIndex, table, scope, protocol, priority, s, onlink);
  }

  public Route withOnlink() {
    return new Route(dst, gateway, linkIndex, table, scope, protocol, priority, prefSrc, true);
  }

  public Route protocol(int p) {
    return new Route(dst, gateway, linkIndex, table, scope, p, priority, prefSrc, onlink);
  }

  public boolean isDefault() {
    return dst.length() == 0;
  }

  @Override
  public String toString() {
    StringBuilder sb =
        new StringBuilder(
            isDefault() ? "default" : dst.isHost() ? dst.address().toString() : dst.toString());
    if (gateway != null) {
      sb.append(" via ").append(gateway);
    }
    if (linkIndex != 0) {
      sb.append(" dev ").append(linkIndex);
    }
    if (table != TABLE_MAIN) {
      sb.append(" table ").append(table == TABLE_LOCAL ? "local" : String.valueOf(table));
    }
    if (scope != Scope.UNIVERSE) {
      sb.append(" scope ").append(scope);
    }
    if (prefSrc != null) {
      sb.append(" src ").append(prefSrc);
    }
    if (priority != 0) {
      sb.append(" metric ").append(priority);
    }
    if (onlink) {
      sb.append(" onlink");
    }
    return sb.toString();
  }
}
