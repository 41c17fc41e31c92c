package io.vpccni.agent.metrics;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The agent-side cost of recent requests, per verb and phase (e.g. ADD total, ADD datapath), kept
 * in fixed-size rings so memory stays flat. Read by the introspection endpoint and the latency
 * benchmark, which subtracts these from the whole-process time to show where an ADD goes.
 */
public final class Timings {
  private static final int SIZE = 4096;
  private final Map<String, long[]> rings = new LinkedHashMap<>();
  private final Map<String, Integer> counts = new LinkedHashMap<>();

  public synchronized void record(String series, long nanos) {
    long[] ring = rings.computeIfAbsent(series, k -> new long[SIZE]);
    int n = counts.merge(series, 1, Integer::sum);
    ring[(n - 1) % SIZE] = nanos;
  }

  /** Series → {count, p50, p90, p99, max} in microseconds, over the last {@value #SIZE} samples. */
  public synchronized Map<String, Object> summary() {
    Map<String, Object> out = new LinkedHashMap<>();
    for (var e : rings.entrySet()) {
      int n = counts.get(e.getKey());
      long[] s = Arrays.copyOf(e.getValue(), Math.min(n, SIZE));
      Arrays.sort(s);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("count", n);
      m.put("p50us", s[(int) ((s.length - 1) * 0.50)] / 1000);
      m.put("p90us", s[(int) ((s.length - 1) * 0.90)] / 1000);
      m.put("p99us", s[(int) ((s.length - 1) * 0.99)] / 1000);
      m.put("maxUs", s[s.length - 1] / 1000);
      out.put(e.getKey(), m);
    }
    return out;
  }

  /** Forgets every sample (the benchmark calls this between runs via introspection). */
  public synchronized void reset() {
    rings.clear();
    counts.clear();
  }
}
