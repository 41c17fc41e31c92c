package io.vpccni.crd;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as Kubernetes users write them in annotations: one or more {@code <number><unit>} with
 * the units {@code h}, {@code m}, {@code s} ("10m", "1h30m", "90s"), as Go's {@code
 * time.ParseDuration} reads them, without fractions.
 */
public final class Durations {
  private static final Pattern WHOLE = Pattern.compile("([0-9]{1,9}[hms])+");
  private static final Pattern PART = Pattern.compile("([0-9]{1,9})([hms])");

  /** The longest TTL accepted: 30 days. */
  public static final Duration MAX = Duration.ofDays(30);

  private Durations() {}

  /**
   * Parses {@code text}; the message of the exception says what is wrong, without the field name
   * (the caller adds it).
   *
   * @throws IllegalArgumentException not a duration, zero, or longer than {@link #MAX}
   */
  public static Duration parse(String text) {
    if (text == null || !WHOLE.matcher(text).matches()) {
      throw new IllegalArgumentException(
          "\"" + text + "\" is not a duration such as 10m, 1h30m or 90s");
    }
    Duration d = Duration.ZERO;
    Matcher m = PART.matcher(text);
    while (m.find()) {
      long n = Long.parseLong(m.group(1));
      d =
          d.plus(
              switch (m.group(2)) {
                case "h" -> Duration.ofHours(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofSeconds(n);
              });
    }
    if (d.isZero()) {
      throw new IllegalArgumentException("\"" + text + "\" is zero; a reservation needs a TTL");
    }
    if (d.compareTo(MAX) > 0) {
      throw new IllegalArgumentException("\"" + text + "\" is longer than 30 days (720h)");
    }
    return d;
  }

  /** {@code d} in the form {@link #parse} reads ("1h30m", "10m", "45s"). */
  public static String format(Duration d) {
    StringBuilder b = new StringBuilder();
    long h = d.toHours();
    int m = d.toMinutesPart();
    int s = d.toSecondsPart();
    if (h > 0) {
      b.append(h).append('h');
    }
    if (m > 0) {
      b.append(m).append('m');
    }
    if (s > 0 || b.isEmpty()) {
      b.append(s).append('s');
    }
    return b.toString();
  }
}
