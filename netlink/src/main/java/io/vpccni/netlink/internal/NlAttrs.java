package io.vpccni.netlink.internal;

import io.vpccni.netaddr.IpAddress;
import io.vpccni.netaddr.MacAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The attributes of one message (or one nested attribute), indexed by type. Types above {@code
 * maxType} are skipped; a repeated type keeps its last occurrence. Malformed lengths end the parse
 * with an {@link IllegalArgumentException} rather than reading past the message.
 */
public final class NlAttrs {
  private static final int TYPE_MASK = 0x3fff; // without NLA_F_NESTED / NLA_F_NET_BYTEORDER

  private final ByteBuffer b;
  private final int[] off;
  private final int[] len;

  private NlAttrs(ByteBuffer b, int maxType) {
    this.b = b;
    this.off = new int[maxType + 1];
    this.len = new int[maxType + 1];
    Arrays.fill(off, -1);
  }

  /** Parses the attributes in {@code [from, to)} of {@code b}. */
  public static NlAttrs parse(ByteBuffer b, int from, int to, int maxType) {
    NlAttrs a = new NlAttrs(b, maxType);
    int p = from;
    while (p + 4 <= to) {
      int l = b.getShort(p) & 0xffff;
      int t = b.getShort(p + 2) & TYPE_MASK;
      if (l < 4 || p + l > to) {
        throw new IllegalArgumentException("malformed netlink attribute at " + p + ": len " + l);
      }
      if (t <= maxType) {
        a.off[t] = p + 4;
        a.len[t] = l - 4;
      }
      p += Rtnl.align(l);
    }
    return a;
  }

  public boolean has(int type) {
    return type < off.length && off[type] >= 0;
  }

  public int offset(int type) {
    return off[type];
  }

  public int length(int type) {
    return len[type];
  }

  public NlAttrs nested(int type, int maxType) {
    return has(type) ? parse(b, off[type], off[type] + len[type], maxType) : null;
  }

  public int u8(int type, int dflt) {
    return has(type) && len[type] >= 1 ? b.get(off[type]) & 0xff : dflt;
  }

  public int u16(int type, int dflt) {
    return has(type) && len[type] >= 2 ? b.getShort(off[type]) & 0xffff : dflt;
  }

  public int u32(int type, int dflt) {
    return has(type) && len[type] >= 4 ? b.getInt(off[type]) : dflt;
  }

  /** A string attribute without its trailing NUL, or null if absent. */
  public String string(int type) {
    if (!has(type)) {
      return null;
    }
    int n = len[type];
    int o = off[type];
    int end = o;
    while (end < o + n && b.get(end) != 0) {
      end++;
    }
    byte[] s = new byte[end - o];
    b.get(o, s);
    return new String(s, StandardCharsets.UTF_8);
  }

  public byte[] bytes(int type) {
    if (!has(type)) {
      return null;
    }
    byte[] v = new byte[len[type]];
    b.get(off[type], v);
    return v;
  }

  /** An IPv4 or IPv6 address attribute; null if absent or of another size. */
  public IpAddress ip(int type) {
    if (!has(type) || (len[type] != 4 && len[type] != 16)) {
      return null;
    }
    return IpAddress.of(bytes(type));
  }

  /** A 6-byte hardware address; null if absent or of another size (loopback's is 6 zeros). */
  public MacAddress mac(int type) {
    return has(type) && len[type] == 6 ? MacAddress.of(bytes(type)) : null;
  }
}
