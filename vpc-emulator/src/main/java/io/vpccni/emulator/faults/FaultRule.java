package io.vpccni.emulator.faults;

/**
 * The faults injected into one API operation (or into every operation, under the name {@code *}).
 *
 * @param latencyMillis added before the call is served
 * @param throttleFraction fraction of calls answered 429 with {@code Retry-After}, 0..1
 * @param rateLimitPerSecond calls per second allowed (token bucket, burst of one second's worth);
 *     calls above it are answered 429; 0 means no limit
 * @param retryAfterSeconds the {@code Retry-After} value sent with a 429
 * @param errorFraction fraction of calls answered with {@code errorStatus}, 0..1
 * @param errorStatus 500, 503, or 403 (the caller's policy forbids the call, as Neutron answers a
 *     non-admin for {@code network-ip-availability})
 * @param failNext the next N calls are answered with {@code errorStatus}
 */
public record FaultRule(
    long latencyMillis,
    double throttleFraction,
    double rateLimitPerSecond,
    int retryAfterSeconds,
    double errorFraction,
    int errorStatus,
    int failNext) {

  public static final FaultRule NONE = new FaultRule(0, 0, 0, 1, 0, 500, 0);

  public FaultRule {
    if (latencyMillis < 0 || failNext < 0 || rateLimitPerSecond < 0) {
      throw new IllegalArgumentException(
          "latency_ms, fail_next and rate_limit_per_second must not be negative");
    }
    if (throttleFraction < 0 || throttleFraction > 1 || errorFraction < 0 || errorFraction > 1) {
      throw new IllegalArgumentException(
          "throttle_fraction and error_fraction must be within 0..1");
    }
    if (errorStatus != 500 && errorStatus != 503 && errorStatus != 403) {
      throw new IllegalArgumentException(
          "error_status must be 500, 503 or 403, not " + errorStatus);
    }
    if (retryAfterSeconds < 0) {
      throw new IllegalArgumentException("retry_after_s must not be negative");
    }
  }

  public static FaultRule latency(long millis) {
    return NONE.withLatency(millis);
  }

  public FaultRule withLatency(long millis) {
    return new FaultRule(
        millis,
        throttleFraction,
        rateLimitPerSecond,
        retryAfterSeconds,
        errorFraction,
        errorStatus,
        failNext);
  }

  public FaultRule withThrottle(double fraction) {
    return new FaultRule(
        latencyMillis,
        fraction,
        rateLimitPerSecond,
        retryAfterSeconds,
        errorFraction,
        errorStatus,
        failNext);
  }

  public FaultRule withRateLimit(double perSecond) {
    return new FaultRule(
        latencyMillis,
        throttleFraction,
        perSecond,
        retryAfterSeconds,
        errorFraction,
        errorStatus,
        failNext);
  }

  public FaultRule withErrors(double fraction, int status) {
    return new FaultRule(
        latencyMillis,
        throttleFraction,
        rateLimitPerSecond,
        retryAfterSeconds,
        fraction,
        status,
        failNext);
  }

  public FaultRule withFailNext(int count, int status) {
    return new FaultRule(
        latencyMillis,
        throttleFraction,
        rateLimitPerSecond,
        retryAfterSeconds,
        errorFraction,
        status,
        count);
  }
}
