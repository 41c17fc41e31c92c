package io.vpccni.testkit.netns;

/** Reads iperf3's JSON report ({@code iperf3 -J}). */
public final class Iperf3 {
  private Iperf3() {}

  /** {@code end.sum_received.bits_per_second}: what the receiver measured. */
  public static double receivedBitsPerSecond(String json) {
    int i = json.indexOf("\"sum_received\"");
    int b = i < 0 ? -1 : json.indexOf("\"bits_per_second\"", i);
    if (b < 0) {
      throw new IllegalArgumentException("not an iperf3 -J report with sum_received: " + json);
    }
    String num = json.substring(json.indexOf(':', b) + 1).trim();
    int end = 0;
    while (end < num.length() && "0123456789.eE+-".indexOf(num.charAt(end)) >= 0) {
      end++;
    }
    return Double.parseDouble(num.substring(0, end));
  }
}
