package io.vpccni.cloud.openstack;

/**
 * ENI and IP limits of one flavor, from a provider setting {@code flavor.<name>=<enis>x<ipsPerEni>}
 * (e.g. {@code flavor.m5.large=3x9}): Nova has no per-flavor port limit, so the operator states
 * one. {@code enis} counts the primary port; {@code ipsPerEni} counts SECONDARY addresses only, as
 * {@link io.vpccni.cloud.Instance#ipsPerEni()} does, so EC2's "10 IPv4 addresses per interface" for
 * m5.large is {@code 3x9} here (the emulator's instance types count the primary: 3 × 10).
 */
record FlavorLimits(int enis, int ipsPerEni) {

  /**
   * Parses {@code 3x10}.
   *
   * @throws IllegalArgumentException saying what is wrong
   */
  static FlavorLimits parse(String text) {
    String[] parts = text.strip().split("x", -1);
    if (parts.length != 2) {
      throw new IllegalArgumentException("\"" + text + "\" is not <enis>x<ipsPerEni>, e.g. 3x9");
    }
    int enis;
    int ips;
    try {
      enis = Integer.parseInt(parts[0]);
      ips = Integer.parseInt(parts[1]);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("\"" + text + "\" is not <enis>x<ipsPerEni>, e.g. 3x9");
    }
    if (enis < 1 || ips < 0) {
      throw new IllegalArgumentException("\"" + text + "\": enis must be >= 1 and ipsPerEni >= 0");
    }
    return new FlavorLimits(enis, ips);
  }

  @Override
  public String toString() {
    return enis + "x" + ipsPerEni;
  }
}
