package io.vpccni.e2e.runtime;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/** The harness's one bounded wait: polls a probe until it yields a value or the deadline passes. */
final class Poll {

  private Poll() {}

  /** The probe's first present value, or empty once {@code timeout} has passed. */
  static <T> Optional<T> until(Duration timeout, Duration interval, Supplier<Optional<T>> probe) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Optional<T> value = probe.get();
      if (value.isPresent() || System.nanoTime() - deadline >= 0) {
        return value;
      }
      try {
        Thread.sleep(interval);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Optional.empty();
      }
    }
  }

  /** True once {@code condition} holds, false if it still does not at the deadline. */
  static boolean until(
      Duration timeout, Duration interval, java.util.function.BooleanSupplier condition) {
    return until(
            timeout,
            interval,
            () -> condition.getAsBoolean() ? Optional.of(Boolean.TRUE) : Optional.empty())
        .isPresent();
  }
}
