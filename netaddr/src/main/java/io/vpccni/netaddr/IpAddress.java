package io.vpccni.netaddr;

import java.util.Arrays;

/**
 * An IPv4 or IPv6 address. Immutable; {@link #toString()} prints the canonical text form (dotted
 * quad, or RFC 5952 for IPv6), the way {@code ip} shows it.
 */
public final class IpAddress implements Comparable<IpAddress> {
  private final byte[] bytes;

  private IpAddress(byte[] bytes) {
    this.bytes = bytes;
  }

  /** Wraps 4 or 16 network-order bytes (copied). */
  public static IpAddress of(byte[] bytes) {
    if (bytes.length != 4 && bytes.length != 16) {
      throw new IllegalArgumentException("an IP address has 4 or 16 bytes, not " + bytes.length);
    }
    return new IpAddress(bytes.clone());
  }

  /** An IPv4 address from its 32-bit value. */
  public static IpAddress ofV4(int value) {
    return new IpAddress(
        new byte[] {
          (byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value
        });
  }

  /**
   * Parses the text form of an IPv4 or IPv6 address. Never resolves names.
   *
   * @throws IllegalArgumentException naming the bad text
   */
  public static IpAddress parse(String text) {
    if (text == null || text.isEmpty()) {
      throw new IllegalArgumentException("empty IP address");
    }
    byte[] b = text.indexOf(':') >= 0 ? parseV6(text) : parseV4(text);
    if (b == null) {
      throw new IllegalArgumentException("not an IP address: \"" + text + "\"");
    }
    return new IpAddress(b);
  }

  private static byte[] parseV4(String s) {
    byte[] out = new byte[4];
    int part = 0;
    int value = -1;
    int digits = 0;
    for (int i = 0; i <= s.length(); i++) {
      char c = i < s.length() ? s.charAt(i) : '.';
      if (c == '.') {
        if (value < 0 || part > 3) {
          return null;
        }
        out[part++] = (byte) value;
        value = -1;
        digits = 0;
      } else if (c >= '0' && c <= '9') {
        if (digits > 0 && value == 0) {
          return null; // leading zero: ambiguous (octal in some parsers)
        }
        value = (value < 0 ? 0 : value * 10) + (c - '0');
        if (value > 255 || ++digits > 3) {
          return null;
        }
      } else {
        return null;
      }
    }
    return part == 4 ? out : null;
  }

  private static byte[] parseV6(String s) {
    int zone = s.indexOf('%');
    if (zone >= 0) {
      return null;
    }
    byte[] out = new byte[16];
    int dbl = s.indexOf("::");
    if (dbl >= 0 && s.indexOf("::", dbl + 1) >= 0) {
      return null;
    }
    String head = dbl >= 0 ? s.substring(0, dbl) : s;
    String tail = dbl >= 0 ? s.substring(dbl + 2) : "";
    int[] h = groups(head, dbl >= 0 ? 7 : 8, dbl < 0);
    int[] t = dbl >= 0 ? groups(tail, 7, true) : new int[0];
    if (h == null || t == null) {
      return null;
    }
    if (dbl < 0 && h.length != 8) {
      return null;
    }
    if (dbl >= 0 && h.length + t.length > 7) {
      return null;
    }
    for (int i = 0; i < h.length; i++) {
      out[2 * i] = (byte) (h[i] >>> 8);
      out[2 * i + 1] = (byte) h[i];
    }
    for (int i = 0; i < t.length; i++) {
      int g = 8 - t.length + i;
      out[2 * g] = (byte) (t[i] >>> 8);
      out[2 * g + 1] = (byte) t[i];
    }
    return out;
  }

  /** Parses colon-separated hex groups; the last may be an embedded IPv4 (2 groups). */
  private static int[] groups(String s, int max, boolean mayEndInV4) {
    if (s.isEmpty()) {
      return new int[0];
    }
    String[] parts = s.split(":", -1);
    int[] g = new int[max + 1];
    int n = 0;
    for (int i = 0; i < parts.length; i++) {
      String p = parts[i];
      if (i == parts.length - 1 && mayEndInV4 && p.indexOf('.') >= 0) {
        byte[] v4 = parseV4(p);
        if (v4 == null || n + 2 > max) {
          return null;
        }
        g[n++] = ((v4[0] & 0xff) << 8) | (v4[1] & 0xff);
        g[n++] = ((v4[2] & 0xff) << 8) | (v4[3] & 0xff);
        continue;
      }
      if (p.isEmpty() || p.length() > 4 || n >= max) {
        return null;
      }
      int v = 0;
      for (int k = 0; k < p.length(); k++) {
        int d = Character.digit(p.charAt(k), 16);
        if (d < 0) {
          return null;
        }
        v = v * 16 + d;
      }
      g[n++] = v;
    }
    return n > max ? null : Arrays.copyOf(g, n);
  }

  public boolean isV4() {
    return bytes.length == 4;
  }

  public boolean isV6() {
    return bytes.length == 16;
  }

  /** Address family constant as the kernel numbers it: 2 (AF_INET) or 10 (AF_INET6). */
  public int family() {
    return isV4() ? 2 : 10;
  }

  /** Number of bits: 32 or 128. */
  public int bitLength() {
    return bytes.length * 8;
  }

  /** A copy of the network-order bytes. */
  public byte[] toBytes() {
    return bytes.clone();
  }

  /** The 32-bit value of an IPv4 address. */
  public int toV4Int() {
    if (!isV4()) {
      throw new IllegalStateException("not an IPv4 address: " + this);
    }
    return ((bytes[0] & 0xff) << 24)
        | ((bytes[1] & 0xff) << 16)
        | ((bytes[2] & 0xff) << 8)
        | (bytes[3] & 0xff);
  }

  /** Whether this address is a link-local address (169.254/16 or fe80::/10). */
  public boolean isLinkLocal() {
    return isV4()
        ? (bytes[0] & 0xff) == 169 && (bytes[1] & 0xff) == 254
        : (bytes[0] & 0xff) == 0xfe && (bytes[1] & 0xc0) == 0x80;
  }

  /** This address as a host prefix (/32 or /128). */
  public IpPrefix toHostPrefix() {
    return new IpPrefix(this, bitLength());
  }

  @Override
  public String toString() {
    if (isV4()) {
      return (bytes[0] & 0xff)
          + "."
          + (bytes[1] & 0xff)
          + "."
          + (bytes[2] & 0xff)
          + "."
          + (bytes[3] & 0xff);
    }
    int[] g = new int[8];
    for (int i = 0; i < 8; i++) {
      g[i] = ((bytes[2 * i] & 0xff) << 8) | (bytes[2 * i + 1] & 0xff);
    }
    // RFC 5952: compress the longest run (>= 2) of zero groups, the first one on a tie.
    int bestStart = -1;
    int bestLen = 1;
    for (int i = 0; i < 8; ) {
      if (g[i] != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < 8 && g[j] == 0) {
        j++;
      }
      if (j - i > bestLen) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j;
    }
    StringBuilder sb = new StringBuilder(39);
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        sb.append("::");
        i += bestLen - 1;
        continue;
      }
      if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
        sb.append(':');
      }
      sb.append(Integer.toHexString(g[i]));
    }
    return sb.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IpAddress other && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public int compareTo(IpAddress o) {
    if (bytes.length != o.bytes.length) {
      return Integer.compare(bytes.length, o.bytes.length);
    }
    return Arrays.compareUnsigned(bytes, o.bytes);
  }
}
