package io.vpccni.bench;

import java.util.Arrays;
import java.util.List;

/** Percentiles of a list of durations in nanoseconds, printed in milliseconds. */
record Stats(int n, double p50, double p90, double p99, double max) {
  static Stats of(List<Long> nanos) {
    long[] s = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
    if (s.length == 0) {
      return new Stats(0, 0, 0, 0, 0);
    }
    return new Stats(s.length, ms(s, 0.50), ms(s, 0.90), ms(s, 0.99), s[s.length - 1] / 1e6);
  }

  private static double ms(long[] s, double q) {
    return s[(int) Math.round((s.length - 1) * q)] / 1e6;
  }

  static double median(long[] values) {
    long[] s = values.clone();
    Arrays.sort(s);
    return s.length == 0 ? 0 : s[s.length / 2];
  }

  String row(String name) {
    return String.format("| %s | %d | %.1f | %.1f | %.1f | %.1f |", name, n, p50, p90, p99, max);
  }
}
