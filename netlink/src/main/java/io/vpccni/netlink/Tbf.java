package io.vpccni.netlink;

/**
 * A token bucket filter (tc-tbf) as a link's root qdisc: what leaves the link is held to {@code
 * rateBitsPerSecond}, with bursts of up to {@code burstBytes} and at most {@code limitBytes} queued
 * (more is dropped).
 */
public record Tbf(long rateBitsPerSecond, int burstBytes, int limitBytes) {
  public Tbf {
    if (rateBitsPerSecond < 8 || burstBytes < 1 || limitBytes < 1) {
      throw new IllegalArgumentException(
          "tbf needs a rate of at least 8 bit/s and a positive burst and limit, not "
              + rateBitsPerSecond
              + " bit/s, burst "
              + burstBytes
              + ", limit "
              + limitBytes);
    }
  }

  /**
   * A tbf for a rate with the usual sizing: a burst of 20 ms at the rate (at least 32 KiB, so a
   * segmentation-offloaded packet never waits for tokens it can never get) and a queue of 50 ms
   * beyond the burst.
   */
  public static Tbf forRate(long rateBitsPerSecond) {
    long bytesPerSecond = Math.max(1, rateBitsPerSecond / 8);
    int burst = (int) Math.min(Integer.MAX_VALUE / 2, Math.max(32 * 1024, bytesPerSecond / 50));
    int limit = (int) Math.min(Integer.MAX_VALUE / 2, burst + bytesPerSecond / 20);
    return new Tbf(rateBitsPerSecond, burst, limit);
  }
}
