package io.vpccni.cloud.retry;

import io.vpccni.cloud.CloudException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;
import java.util.regex.Pattern;

/**
 * How often and how long to retry: exponential backoff from {@code initialBackoff}, times {@code
 * multiplier} per attempt, capped at {@code maxBackoff}, with {@link Jitter}; at most {@code
 * maxAttempts} attempts (the first included), and no wait that would end past {@code deadline}
 * counted from {@link #start()}. Only failures that {@link #isRetryable(Throwable)} accepts are
 * retried: by default a {@link CloudException} whose reason is retryable ({@code THROTTLED}, {@code
 * TRANSIENT}, {@code INTERNAL}).
 *
 * <p>Immutable and shareable; each operation calls {@link #start()} for its own {@link
 * RetryAttempt}. Build one with {@link #builder()}; {@link #defaults()} suits cloud calls.
 */
public final class RetryPolicy {

  /** How a computed backoff {@code b} is randomised, so that many clients do not retry in step. */
  public enum Jitter {
    /** Exactly {@code b}. */
    NONE,
    /** Uniform in {@code [0, b]} (AWS's "full jitter"): the widest spread, the least load. */
    FULL,
    /** Uniform in {@code [b/2, b]} ("equal jitter"): never much shorter than planned. */
    EQUAL
  }

  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

  private final int maxAttempts;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final double multiplier;
  private final Jitter jitter;
  private final Duration deadline;
  private final Predicate<Throwable> retryable;
  private final String retryableDescription;

  private RetryPolicy(Builder b) {
    this.maxAttempts = b.maxAttempts;
    this.initialBackoff = b.initialBackoff;
    this.maxBackoff = b.maxBackoff;
    this.multiplier = b.multiplier;
    this.jitter = b.jitter;
    this.deadline = b.deadline;
    this.retryable = b.retryable;
    this.retryableDescription = b.retryableDescription;
  }

  /**
   * For cloud calls: 6 attempts, 200 ms doubling to 10 s, full jitter, 60 s in all, on the
   * retryable reasons.
   */
  public static RetryPolicy defaults() {
    return builder().build();
  }

  /** Never retries. */
  public static RetryPolicy none() {
    return builder().maxAttempts(1).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * A policy from string settings, each optional, over {@link #defaults()}: {@code
   * <prefix>maxAttempts}, {@code <prefix>initialBackoff}, {@code <prefix>maxBackoff}, {@code
   * <prefix>multiplier}, {@code <prefix>jitter} ({@code none|full|equal}), {@code <prefix>deadline}
   * ({@code 0} for none). Durations are {@code 250ms}, {@code 10s}, {@code 2m} or ISO-8601 ({@code
   * PT10S}).
   *
   * @throws IllegalArgumentException naming the bad setting
   */
  public static RetryPolicy fromSettings(Map<String, String> settings, String prefix) {
    Builder b = builder();
    for (var e : settings.entrySet()) {
      if (!e.getKey().startsWith(prefix)) {
        continue;
      }
      String key = e.getKey().substring(prefix.length());
      String v = e.getValue().strip();
      try {
        switch (key) {
          case "maxAttempts" -> b.maxAttempts(Integer.parseInt(v));
          case "initialBackoff" -> b.initialBackoff(parseDuration(v));
          case "maxBackoff" -> b.maxBackoff(parseDuration(v));
          case "multiplier" -> b.multiplier(Double.parseDouble(v));
          case "jitter" -> b.jitter(Jitter.valueOf(v.toUpperCase(Locale.ROOT)));
          case "deadline" -> b.deadline(parseDuration(v));
          default ->
              throw new IllegalArgumentException(
                  "unknown setting; known: maxAttempts, initialBackoff, maxBackoff, multiplier,"
                      + " jitter, deadline");
        }
      } catch (RuntimeException bad) {
        throw new IllegalArgumentException(
            "bad retry setting " + e.getKey() + "=\"" + e.getValue() + "\": " + bad.getMessage(),
            bad);
      }
    }
    try {
      return b.build();
    } catch (IllegalArgumentException bad) {
      throw new IllegalArgumentException("bad retry settings " + prefix + "*: " + bad.getMessage());
    }
  }

  /** {@code 250ms}, {@code 10s}, {@code 2m}, {@code 0}, or ISO-8601 {@code PT10S}. */
  static Duration parseDuration(String v) {
    if (v.equals("0")) {
      return Duration.ZERO;
    }
    if (v.startsWith("P") || v.startsWith("p")) {
      return Duration.parse(v);
    }
    var m = DURATION.matcher(v);
    if (!m.matches()) {
      throw new IllegalArgumentException("not a duration such as 250ms, 10s, 2m or PT10S");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      default -> Duration.ofHours(n);
    };
  }

  /** A builder starting from this policy's settings. */
  public Builder toBuilder() {
    var b = new Builder();
    b.maxAttempts = maxAttempts;
    b.initialBackoff = initialBackoff;
    b.maxBackoff = maxBackoff;
    b.multiplier = multiplier;
    b.jitter = jitter;
    b.deadline = deadline;
    b.retryable = retryable;
    b.retryableDescription = retryableDescription;
    return b;
  }

  /** A new attempt sequence on the system clock and a thread-local random source. */
  public RetryAttempt start() {
    return start(Ticker.system(), ThreadLocalRandom.current());
  }

  /** A new attempt sequence on the given clock and random source (tests pass fakes). */
  public RetryAttempt start(Ticker ticker, RandomGenerator random) {
    return new RetryAttempt(this, ticker, random);
  }

  /** Whether a failure of this kind is worth another attempt. */
  public boolean isRetryable(Throwable failure) {
    return retryable.test(failure);
  }

  /** The backoff before attempt {@code n + 1} after {@code n} failures, before jitter. */
  Duration baseBackoff(int failures) {
    double nanos = initialBackoff.toNanos() * Math.pow(multiplier, failures - 1);
    long capped = nanos >= maxBackoff.toNanos() ? maxBackoff.toNanos() : (long) nanos;
    return Duration.ofNanos(capped);
  }

  public int maxAttempts() {
    return maxAttempts;
  }

  public Duration initialBackoff() {
    return initialBackoff;
  }

  public Duration maxBackoff() {
    return maxBackoff;
  }

  public double multiplier() {
    return multiplier;
  }

  public Jitter jitter() {
    return jitter;
  }

  /** The total time budget from {@link #start()}; {@link Duration#ZERO} means none. */
  public Duration deadline() {
    return deadline;
  }

  @Override
  public String toString() {
    return "retry "
        + maxAttempts
        + " attempts backoff "
        + initialBackoff
        + " x"
        + multiplier
        + " max "
        + maxBackoff
        + " jitter "
        + jitter.name().toLowerCase(Locale.ROOT)
        + (deadline.isZero() ? "" : " deadline " + deadline)
        + " on "
        + retryableDescription;
  }

  /** Builds a {@link RetryPolicy}; every setter validates its argument and names it. */
  public static final class Builder {
    private int maxAttempts = 6;
    private Duration initialBackoff = Duration.ofMillis(200);
    private Duration maxBackoff = Duration.ofSeconds(10);
    private double multiplier = 2.0;
    private Jitter jitter = Jitter.FULL;
    private Duration deadline = Duration.ofSeconds(60);
    private Predicate<Throwable> retryable = RetryPolicy::retryableCloudFailure;
    private String retryableDescription = "retryable reasons";

    private Builder() {}

    /** Attempts in all, the first included; 1 means no retry. */
    public Builder maxAttempts(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("maxAttempts must be >= 1, not " + n);
      }
      this.maxAttempts = n;
      return this;
    }

    public Builder initialBackoff(Duration d) {
      this.initialBackoff = nonNegative("initialBackoff", d);
      return this;
    }

    public Builder maxBackoff(Duration d) {
      this.maxBackoff = nonNegative("maxBackoff", d);
      return this;
    }

    /** Growth per attempt, at least 1 (1 is a constant backoff). */
    public Builder multiplier(double m) {
      if (!(m >= 1.0) || Double.isInfinite(m)) {
        throw new IllegalArgumentException("multiplier must be >= 1, not " + m);
      }
      this.multiplier = m;
      return this;
    }

    public Builder jitter(Jitter j) {
      this.jitter = Objects.requireNonNull(j, "jitter");
      return this;
    }

    /** Total budget from {@link RetryPolicy#start()}; {@link Duration#ZERO} for none. */
    public Builder deadline(Duration d) {
      this.deadline = nonNegative("deadline", d);
      return this;
    }

    /** Retry exactly the {@link CloudException}s with these reasons. */
    public Builder retryOn(Set<CloudException.Reason> reasons) {
      var set =
          reasons.isEmpty() ? EnumSet.noneOf(CloudException.Reason.class) : EnumSet.copyOf(reasons);
      this.retryable = t -> t instanceof CloudException c && set.contains(c.reason());
      this.retryableDescription = set.toString();
      return this;
    }

    /** Retry the failures {@code predicate} accepts (for non-cloud uses: sockets, watches). */
    public Builder retryIf(Predicate<Throwable> predicate, String description) {
      this.retryable = Objects.requireNonNull(predicate, "predicate");
      this.retryableDescription = Objects.requireNonNull(description, "description");
      return this;
    }

    /**
     * @throws IllegalArgumentException when {@code initialBackoff > maxBackoff}
     */
    public RetryPolicy build() {
      if (initialBackoff.compareTo(maxBackoff) > 0) {
        throw new IllegalArgumentException(
            "initialBackoff " + initialBackoff + " is longer than maxBackoff " + maxBackoff);
      }
      return new RetryPolicy(this);
    }

    private static Duration nonNegative(String name, Duration d) {
      Objects.requireNonNull(d, name);
      if (d.isNegative()) {
        throw new IllegalArgumentException(name + " must not be negative, not " + d);
      }
      return d;
    }
  }

  private static boolean retryableCloudFailure(Throwable t) {
    return t instanceof CloudException c && c.isRetryable();
  }
}
