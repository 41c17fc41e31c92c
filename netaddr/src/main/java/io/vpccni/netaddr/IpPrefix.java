package io.vpccni.netaddr;

/**
 * An address with a prefix length, as {@code ip} writes it ({@code 10.0.1.5/32}). The address keeps
 * its host bits (an interface address such as {@code 10.0.1.5/24} is a valid prefix here); {@link
 * #network()} clears them.
 */
public record IpPrefix(IpAddress address, int length) {
  public IpPrefix {
    if (address == null) {
      throw new IllegalArgumentException("prefix address is null");
    }
    if (length < 0 || length > address.bitLength()) {
      throw new IllegalArgumentException(
          "prefix length " + length + " is out of range 0.." + address.bitLength());
    }
  }

  /**
   * Parses {@code a.b.c.d/n} or {@code x::y/n}; a bare address is a host prefix.
   *
   * @throws IllegalArgumentException naming the bad text
   */
  public static IpPrefix parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("empty prefix");
    }
    int slash = text.indexOf('/');
    if (slash < 0) {
      return IpAddress.parse(text).toHostPrefix();
    }
    IpAddress a = IpAddress.parse(text.substring(0, slash));
    String len = text.substring(slash + 1);
    if (len.isEmpty() || len.length() > 3 || !len.chars().allMatch(Character::isDigit)) {
      throw new IllegalArgumentException("bad prefix length in \"" + text + "\"");
    }
    return new IpPrefix(a, Integer.parseInt(len));
  }

  /** The prefix with host bits cleared. */
  public IpPrefix network() {
    return new IpPrefix(mask(address, length), length);
  }

  /** Whether {@code ip} falls inside this prefix (same family, same leading bits). */
  public boolean contains(IpAddress ip) {
    return ip.bitLength() == address.bitLength() && mask(ip, length).equals(mask(address, length));
  }

  /** Whether this prefix is a single host (/32 or /128). */
  public boolean isHost() {
    return length == address.bitLength();
  }

  /** Number of addresses, saturated at {@link Long#MAX_VALUE}. */
  public long size() {
    int hostBits = address.bitLength() - length;
    return hostBits >= 63 ? Long.MAX_VALUE : 1L << hostBits;
  }

  private static IpAddress mask(IpAddress a, int len) {
    byte[] b = a.toBytes();
    for (int i = 0; i < b.length; i++) {
      int bits = Math.max(0, Math.min(8, len - 8 * i));
      b[i] &= (byte) (0xff << (8 - bits));
    }
    return IpAddress.of(b);
  }

  @Override
  public String toString() {
    return address + "/" + length;
  }
}
