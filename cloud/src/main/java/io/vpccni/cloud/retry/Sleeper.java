package io.vpccni.cloud.retry;

import java.time.Duration;

/** Waits. Injected wherever code waits, so tests advance a fake {@link Ticker} instead. */
@FunctionalInterface
public interface Sleeper {
  void sleep(Duration duration) throws InterruptedException;

  /** {@link Thread#sleep(Duration)}. */
  static Sleeper system() {
    return d -> {
      if (d.isPositive()) {
        Thread.sleep(d);
      }
    };
  }
}
