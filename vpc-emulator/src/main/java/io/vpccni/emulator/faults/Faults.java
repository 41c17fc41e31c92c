package io.vpccni.emulator.faults;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.random.RandomGenerator;

/**
 * Runtime fault injection, keyed by operation name ({@code ports.update}, {@code
 * servers.interface.attach}, …; see {@link Operation}). A rule for an operation replaces the rule
 * for {@code *} for that operation. Changed at runtime through the admin API or programmatically;
 * thread-safe.
 */
public final class Faults {
  public static final String ALL = "*";

  private final Map<String, FaultRule> rules = new ConcurrentHashMap<>();
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
  private final Map<String, Integer> failNext = new ConcurrentHashMap<>();
  private final Map<String, java.util.concurrent.atomic.LongAdder> requests =
      new ConcurrentHashMap<>();
  private final RandomGenerator random;
  private volatile long portVisibilityDelayMillis;
  private volatile long updateWindowMillis;

  public Faults(RandomGenerator random) {
    this.random = random;
  }

  public void set(String operation, FaultRule rule) {
    if (!operation.equals(ALL) && !Operation.NAMES.contains(operation)) {
      throw new IllegalArgumentException(
          "unknown operation " + operation + "; known: " + Operation.NAMES);
    }
    rules.put(operation, rule);
    buckets.remove(operation);
    failNext.put(operation, rule.failNext());
  }

  /** Removes every rule and the eventual-consistency delay (the update window stays). */
  public void clear() {
    rules.clear();
    buckets.clear();
    failNext.clear();
    portVisibilityDelayMillis = 0;
  }

  public Map<String, FaultRule> rules() {
    return new TreeMap<>(rules);
  }

  public long portVisibilityDelayMillis() {
    return portVisibilityDelayMillis;
  }

  public void setPortVisibilityDelayMillis(long millis) {
    if (millis < 0) {
      throw new IllegalArgumentException("port_visibility_delay_ms must not be negative");
    }
    this.portVisibilityDelayMillis = millis;
  }

  public long updateWindowMillis() {
    return updateWindowMillis;
  }

  public void setUpdateWindowMillis(long millis) {
    if (millis < 0) {
      throw new IllegalArgumentException("update_window_ms must not be negative");
    }
    this.updateWindowMillis = millis;
  }

  /** The rule in force for an operation: its own, else {@code *}, else none. */
  public FaultRule ruleFor(String operation) {
    FaultRule r = rules.get(operation);
    if (r == null) {
      r = rules.get(ALL);
    }
    return r == null ? FaultRule.NONE : r;
  }

  /**
   * Requests served or refused per operation since start (or the last reset): what a benchmark
   * counts as HTTP calls to the cloud.
   */
  public Map<String, Long> requestCounts() {
    Map<String, Long> out = new TreeMap<>();
    requests.forEach((op, n) -> out.put(op, n.sum()));
    return out;
  }

  public void resetRequestCounts() {
    requests.clear();
  }

  /** Decides the fate of one call; sleeps the rule's latency first. */
  public Verdict decide(String operation) throws InterruptedException {
    requests
        .computeIfAbsent(operation, k -> new java.util.concurrent.atomic.LongAdder())
        .increment();
    String key = rules.containsKey(operation) ? operation : ALL;
    FaultRule rule = ruleFor(operation);
    if (rule.latencyMillis() > 0) {
      Thread.sleep(rule.latencyMillis());
    }
    int[] fired = {0};
    failNext.computeIfPresent(
        key,
        (k, n) -> {
          if (n > 0) {
            fired[0] = 1;
            return n - 1;
          }
          return n;
        });
    if (fired[0] == 1) {
      return new Verdict.Fail(rule.errorStatus(), "fail_next");
    }
    if (rule.rateLimitPerSecond() > 0
        && !buckets.computeIfAbsent(key, k -> new Bucket(rule.rateLimitPerSecond())).take()) {
      return new Verdict.Throttle(rule.retryAfterSeconds(), "rate_limit");
    }
    if (rule.throttleFraction() > 0 && random.nextDouble() < rule.throttleFraction()) {
      return new Verdict.Throttle(rule.retryAfterSeconds(), "throttle_fraction");
    }
    if (rule.errorFraction() > 0 && random.nextDouble() < rule.errorFraction()) {
      return new Verdict.Fail(rule.errorStatus(), "error_fraction");
    }
    return Verdict.SERVE;
  }

  /** A token bucket refilled continuously, holding at most one second's worth of calls. */
  private static final class Bucket {
    private final double perSecond;
    private double tokens;
    private long last = System.nanoTime();

    Bucket(double perSecond) {
      this.perSecond = perSecond;
      this.tokens = Math.max(1, perSecond);
    }

    synchronized boolean take() {
      long now = System.nanoTime();
      tokens = Math.min(Math.max(1, perSecond), tokens + (now - last) / 1e9 * perSecond);
      last = now;
      if (tokens >= 1) {
        tokens -= 1;
        return true;
      }
      return false;
    }
  }
}
