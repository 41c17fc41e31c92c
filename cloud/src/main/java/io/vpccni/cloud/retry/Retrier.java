package io.vpccni.cloud.retry;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * Runs a call under a {@link RetryPolicy}: the one place that sleeps between attempts. On giving up
 * it throws the last failure, with the earlier ones attached as suppressed exceptions. If
 * interrupted while waiting it restores the interrupt flag and throws the last failure with the
 * {@link InterruptedException} suppressed.
 */
public final class Retrier {

  /** A call that may fail with {@code E}. */
  @FunctionalInterface
  public interface Call<T, E extends Exception> {
    T call() throws E;
  }

  /** Told before each wait; for metrics and logs in the layers that have them. */
  @FunctionalInterface
  public interface Listener {
    void retrying(Throwable failure, RetryAttempt attempt, Duration delay);
  }

  private static final int MAX_SUPPRESSED = 10;

  private final RetryPolicy policy;
  private final Sleeper sleeper;
  private final Ticker ticker;
  private final RandomGenerator random;
  private final Listener listener;

  public Retrier(
      RetryPolicy policy,
      Sleeper sleeper,
      Ticker ticker,
      RandomGenerator random,
      Listener listener) {
    this.policy = Objects.requireNonNull(policy, "policy");
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    this.random = random;
    this.listener = listener == null ? (f, a, d) -> {} : listener;
  }

  /** On the system clock, really sleeping. */
  public static Retrier of(RetryPolicy policy) {
    return new Retrier(policy, Sleeper.system(), Ticker.system(), null, null);
  }

  public RetryPolicy policy() {
    return policy;
  }

  /**
   * Runs {@code call} until it succeeds, fails for a non-retryable reason, or the budget is spent.
   */
  public <T, E extends Exception> T call(Call<T, E> call) throws E {
    RetryAttempt attempt =
        policy.start(ticker, random != null ? random : ThreadLocalRandom.current());
    E first = null;
    int suppressed = 0;
    while (true) {
      try {
        return call.call();
      } catch (Exception e) {
        // Safe: call() throws only E or unchecked exceptions, and both are rethrown as they are.
        @SuppressWarnings("unchecked")
        E failure = (E) e;
        Optional<Duration> delay = attempt.nextDelay(failure);
        if (delay.isEmpty()) {
          attachEarlier(failure, first);
          throw failure;
        }
        if (first == null) {
          first = failure;
        } else if (suppressed++ < MAX_SUPPRESSED) {
          first.addSuppressed(failure);
        }
        listener.retrying(failure, attempt, delay.get());
        try {
          sleeper.sleep(delay.get());
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          failure.addSuppressed(ie);
          throw failure;
        }
      }
    }
  }

  private static void attachEarlier(Throwable last, Throwable first) {
    if (first != null && first != last) {
      last.addSuppressed(first);
    }
  }
}
