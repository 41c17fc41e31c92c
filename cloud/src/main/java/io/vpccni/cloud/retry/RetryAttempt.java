package io.vpccni.cloud.retry;

import io.vpccni.cloud.CloudException;
import java.time.Duration;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * One operation's run through a {@link RetryPolicy}: ask {@link #nextDelay()} after each failure;
 * wait that long and try again, or give up when it is empty. Not thread-safe; one per operation.
 */
public final class RetryAttempt {
  private final RetryPolicy policy;
  private final Ticker ticker;
  private final RandomGenerator random;
  private final long startNanos;
  private int failures;

  RetryAttempt(RetryPolicy policy, Ticker ticker, RandomGenerator random) {
    this.policy = policy;
    this.ticker = ticker;
    this.random = random;
    this.startNanos = ticker.nanoTime();
  }

  /**
   * Records a failed attempt and returns how long to wait before the next one; empty when the
   * attempts are used up or the wait would end past the deadline.
   */
  public Optional<Duration> nextDelay() {
    failures++;
    if (failures >= policy.maxAttempts()) {
      return Optional.empty();
    }
    Duration delay = jittered(policy.baseBackoff(failures));
    return withinDeadline(delay);
  }

  /**
   * Like {@link #nextDelay()}, but empty at once when {@code failure} is not retryable under the
   * policy, and never shorter than a server's {@link CloudException#retryAfter()} hint.
   */
  public Optional<Duration> nextDelay(Throwable failure) {
    if (!policy.isRetryable(failure)) {
      failures++;
      return Optional.empty();
    }
    Optional<Duration> d = nextDelay();
    if (d.isPresent() && failure instanceof CloudException c && c.retryAfter().isPresent()) {
      Duration hint = c.retryAfter().get();
      if (hint.compareTo(d.get()) > 0) {
        return withinDeadline(hint);
      }
    }
    return d;
  }

  /** Failed attempts recorded so far. */
  public int failures() {
    return failures;
  }

  /** Time since {@link RetryPolicy#start}. */
  public Duration elapsed() {
    return Duration.ofNanos(ticker.nanoTime() - startNanos);
  }

  private Optional<Duration> withinDeadline(Duration delay) {
    Duration deadline = policy.deadline();
    if (!deadline.isZero() && elapsed().plus(delay).compareTo(deadline) > 0) {
      return Optional.empty();
    }
    return Optional.of(delay);
  }

  private Duration jittered(Duration base) {
    long b = base.toNanos();
    return switch (policy.jitter()) {
      case NONE -> base;
      case FULL -> Duration.ofNanos(b == 0 ? 0 : random.nextLong(b + 1));
      case EQUAL -> Duration.ofNanos(b / 2 + (b == 0 ? 0 : random.nextLong(b - b / 2 + 1)));
    };
  }

  @Override
  public String toString() {
    return "attempt " + (failures + 1) + " of " + policy.maxAttempts() + " after " + elapsed();
  }
}
