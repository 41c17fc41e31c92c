package io.vpccni.cloud.ratelimit;

import io.vpccni.cloud.retry.Sleeper;
import io.vpccni.cloud.retry.Ticker;
import java.time.Duration;
import java.util.Objects;

/**
 * A token bucket: {@code burst} tokens at most, refilled at {@code ratePerSecond}; each call takes
 * one. Thread-safe and fair in arrival order of reservations: {@link #acquire} reserves its token
 * under the lock (the bucket may go negative) and then waits outside it, so waiters never spin and
 * a waiting caller cannot be overtaken by a later one.
 */
public final class RateLimiter {
  private final double ratePerNano;
  private final int burst;
  private final Ticker ticker;
  private final Sleeper sleeper;
  private final double ratePerSecond;

  private double tokens;
  private long lastRefill;

  /**
   * @param ratePerSecond sustained calls per second, greater than 0
   * @param burst calls allowed at once after idling, at least 1; the bucket starts full
   */
  public RateLimiter(double ratePerSecond, int burst, Ticker ticker, Sleeper sleeper) {
    if (!(ratePerSecond > 0) || Double.isInfinite(ratePerSecond)) {
      throw new IllegalArgumentException("rate must be > 0 per second, not " + ratePerSecond);
    }
    if (burst < 1) {
      throw new IllegalArgumentException("burst must be >= 1, not " + burst);
    }
    this.ratePerSecond = ratePerSecond;
    this.ratePerNano = ratePerSecond / 1e9;
    this.burst = burst;
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    this.tokens = burst;
    this.lastRefill = ticker.nanoTime();
  }

  /** On the system clock, really sleeping. */
  public static RateLimiter of(double ratePerSecond, int burst) {
    return new RateLimiter(ratePerSecond, burst, Ticker.system(), Sleeper.system());
  }

  /** Takes a token if one is there now; never waits. */
  public synchronized boolean tryAcquire() {
    refill();
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }

  /**
   * Takes a token, waiting for it if need be, but not longer than {@code timeout}. Returns false
   * without taking anything when the token would come later than that.
   *
   * @throws InterruptedException while waiting; the reserved token is then lost, which only slows
   *     others by one token
   */
  public boolean acquire(Duration timeout) throws InterruptedException {
    long waitNanos;
    synchronized (this) {
      refill();
      if (tokens >= 1) {
        tokens -= 1;
        return true;
      }
      waitNanos = (long) Math.ceil((1 - tokens) / ratePerNano);
      if (waitNanos > timeout.toNanos()) {
        return false;
      }
      tokens -= 1;
    }
    sleeper.sleep(Duration.ofNanos(waitNanos));
    return true;
  }

  /** Tokens available now (negative while callers wait on reservations). */
  public synchronized double available() {
    refill();
    return tokens;
  }

  public double ratePerSecond() {
    return ratePerSecond;
  }

  public int burst() {
    return burst;
  }

  private void refill() {
    long now = ticker.nanoTime();
    long elapsed = now - lastRefill;
    if (elapsed > 0) {
      tokens = Math.min(burst, tokens + elapsed * ratePerNano);
      lastRefill = now;
    }
  }

  @Override
  public String toString() {
    return "rate " + ratePerSecond + "/s burst " + burst;
  }
}
