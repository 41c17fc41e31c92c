package io.vpccni.netaddr;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/** A 48-bit Ethernet MAC address; prints as lower-case {@code aa:bb:cc:dd:ee:ff}. */
public final class MacAddress {
  private static final HexFormat HEX = HexFormat.ofDelimiter(":");
  private final byte[] bytes;

  private MacAddress(byte[] bytes) {
    this.bytes = bytes;
  }

  public static MacAddress of(byte[] bytes) {
    if (bytes.length != 6) {
      throw new IllegalArgumentException("a MAC address has 6 bytes, not " + bytes.length);
    }
    return new MacAddress(bytes.clone());
  }

  /**
   * Parses {@code aa:bb:cc:dd:ee:ff} (either case).
   *
   * @throws IllegalArgumentException naming the bad text
   */
  public static MacAddress parse(String text) {
    if (text == null || text.length() != 17) {
      throw new IllegalArgumentException("not a MAC address: \"" + text + "\"");
    }
    try {
      return new MacAddress(HEX.parseHex(text));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a MAC address: \"" + text + "\"", e);
    }
  }

  /** A random locally administered unicast address. */
  public static MacAddress randomLocal() {
    byte[] b = new byte[6];
    ThreadLocalRandom.current().nextBytes(b);
    b[0] = (byte) ((b[0] & 0xfc) | 0x02);
    return new MacAddress(b);
  }

  public byte[] toBytes() {
    return bytes.clone();
  }

  @Override
  public String toString() {
    return HEX.formatHex(bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MacAddress m && Arrays.equals(bytes, m.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }
}
