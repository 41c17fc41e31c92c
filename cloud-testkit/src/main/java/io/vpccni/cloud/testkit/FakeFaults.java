package io.vpccni.cloud.testkit;

import io.vpccni.cloud.CloudException;
import io.vpccni.cloud.CloudException.Reason;
import io.vpccni.cloud.CloudOperation;
import io.vpccni.cloud.ratelimit.RateLimiter;
import io.vpccni.cloud.retry.Sleeper;
import io.vpccni.cloud.retry.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * The faults a {@link FakeVpcApi} injects, each for some operations (none named means all): errors
 * for the next N calls or with a probability, latency, throttling by a token bucket, and eventual
 * consistency (a new ENI invisible to describe and list for a while). Applied before the call
 * touches state, in this order: latency, throttle, error rules (first match wins). Thread-safe; the
 * random source is seeded, so a run is repeatable for a given call order.
 */
public final class FakeFaults {

  private record Rule(Set<CloudOperation> ops, Reason reason, double probability, int[] remaining) {
    boolean applies(CloudOperation op) {
      return ops.contains(op) && (remaining == null || remaining[0] > 0);
    }
  }

  private final Ticker ticker;
  private final Sleeper sleeper;
  private final RandomGenerator random;
  private final List<Rule> rules = new ArrayList<>();
  private final Map<CloudOperation, Duration> latency = new EnumMap<>(CloudOperation.class);
  private RateLimiter throttle;
  private Duration visibilityDelay = Duration.ZERO;
  private Duration attachDelay = Duration.ZERO;
  private long injected;

  FakeFaults(Ticker ticker, Sleeper sleeper, RandomGenerator random) {
    this.ticker = ticker;
    this.sleeper = sleeper;
    this.random = random;
  }

  /** The next {@code times} calls of {@code ops} (all when none) fail with {@code reason}. */
  public synchronized FakeFaults failNext(int times, Reason reason, CloudOperation... ops) {
    if (times < 1) {
      throw new IllegalArgumentException("times must be >= 1, not " + times);
    }
    rules.add(new Rule(opSet(ops), reason, 1.0, new int[] {times}));
    return this;
  }

  /** Each call of {@code ops} (all when none) fails with {@code reason} with this probability. */
  public synchronized FakeFaults failRandomly(
      double probability, Reason reason, CloudOperation... ops) {
    if (!(probability >= 0 && probability <= 1)) {
      throw new IllegalArgumentException("probability must be in [0, 1], not " + probability);
    }
    rules.add(new Rule(opSet(ops), reason, probability, null));
    return this;
  }

  /** Each call of {@code ops} (all when none) takes {@code delay} more, slept outside the lock. */
  public synchronized FakeFaults latency(Duration delay, CloudOperation... ops) {
    for (CloudOperation op : opSet(ops)) {
      latency.put(op, delay);
    }
    return this;
  }

  /** Calls beyond {@code ratePerSecond} (after a burst) fail with {@code THROTTLED}. */
  public synchronized FakeFaults throttle(double ratePerSecond, int burst) {
    throttle = new RateLimiter(ratePerSecond, burst, ticker, sleeper);
    return this;
  }

  /** A new ENI stays invisible to describe and list for {@code delay} after it is created. */
  public synchronized FakeFaults eventualConsistency(Duration delay) {
    visibilityDelay = delay;
    return this;
  }

  /**
   * An attached ENI reports {@link io.vpccni.cloud.EniStatus#ATTACHING} for {@code delay} before
   * {@code IN_USE}, as Nova's interface attach and EC2's attachment do.
   */
  public synchronized FakeFaults attachDelay(Duration delay) {
    attachDelay = delay;
    return this;
  }

  /** Removes every fault. */
  public synchronized void clear() {
    rules.clear();
    latency.clear();
    throttle = null;
    visibilityDelay = Duration.ZERO;
    attachDelay = Duration.ZERO;
  }

  /** How many errors (throttling included) were injected so far. */
  public synchronized long injectedCount() {
    return injected;
  }

  synchronized Duration attachDelay() {
    return attachDelay;
  }

  synchronized Duration visibilityDelay() {
    return visibilityDelay;
  }

  /** Sleeps the latency, then throws the injected failure, if any, for this call. */
  void beforeCall(CloudOperation op, String action) {
    Duration delay;
    synchronized (this) {
      delay = latency.get(op);
    }
    if (delay != null) {
      try {
        sleeper.sleep(delay);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CloudException(Reason.TRANSIENT, action, "interrupted", e);
      }
    }
    CloudException failure = decide(op, action);
    if (failure != null) {
      throw failure;
    }
  }

  private synchronized CloudException decide(CloudOperation op, String action) {
    if (throttle != null && !throttle.tryAcquire()) {
      injected++;
      return new CloudException(
          Reason.THROTTLED, action, "request limit exceeded (fake cloud: " + throttle + ")");
    }
    for (Rule r : rules) {
      if (r.applies(op) && (r.probability >= 1.0 || random.nextDouble() < r.probability)) {
        if (r.remaining != null) {
          r.remaining[0]--;
        }
        injected++;
        return new CloudException(r.reason, action, "injected fault (" + r.reason + ")");
      }
    }
    return null;
  }

  private static Set<CloudOperation> opSet(CloudOperation... ops) {
    return ops.length == 0 ? EnumSet.allOf(CloudOperation.class) : EnumSet.copyOf(List.of(ops));
  }
}
