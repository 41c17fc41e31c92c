package io.vpccni.cloud.retry;

/**
 * A monotonic clock in nanoseconds, like {@link System#nanoTime()}. Injected wherever time is
 * measured, so tests move time by hand instead of sleeping.
 */
@FunctionalInterface
public interface Ticker {
  /** Nanoseconds since an arbitrary origin; only differences mean anything. */
  long nanoTime();

  /** The system's monotonic clock. */
  static Ticker system() {
    return System::nanoTime;
  }
}
