package io.vpccni.cloud.testkit;

import io.vpccni.cloud.retry.Sleeper;
import io.vpccni.cloud.retry.Ticker;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;

/**
 * Time that moves only when told: a {@link Ticker}, an {@link InstantSource} and a {@link Sleeper}
 * whose {@code sleep} advances the clock instead of waiting, and records how long it was asked to
 * sleep. Give one to a {@link FakeVpcApi}, a {@code Retrier} and a {@code RateLimiter} and a test
 * of retries, throttling or eventual consistency runs in microseconds with exact assertions.
 * Thread-safe.
 */
public final class ManualClock implements Ticker, Sleeper, InstantSource {
  private final Instant origin;
  private long nanos;
  private final List<Duration> sleeps = new ArrayList<>();

  public ManualClock() {
    this(Instant.parse("2026-01-01T00:00:00Z"));
  }

  public ManualClock(Instant origin) {
    this.origin = origin;
  }

  @Override
  public synchronized long nanoTime() {
    return nanos;
  }

  @Override
  public synchronized Instant instant() {
    return origin.plusNanos(nanos);
  }

  /** Advances the clock by {@code d} and records the sleep. */
  @Override
  public synchronized void sleep(Duration d) {
    sleeps.add(d);
    nanos += d.toNanos();
  }

  /** Moves time forward without recording a sleep. */
  public synchronized void advance(Duration d) {
    nanos += d.toNanos();
  }

  /** Every sleep asked for so far, in order. */
  public synchronized List<Duration> sleeps() {
    return List.copyOf(sleeps);
  }

  /** The sum of {@link #sleeps()}. */
  public synchronized Duration slept() {
    return sleeps.stream().reduce(Duration.ZERO, Duration::plus);
  }
}
