package io.vpccni.cloud.retry;

import static io.vpccni.cloud.CloudException.Reason.CONFLICT;
import static io.vpccni.cloud.CloudException.Reason.NOT_FOUND;
import static io.vpccni.cloud.CloudException.Reason.THROTTLED;
import static io.vpccni.cloud.CloudException.Reason.TRANSIENT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vpccni.cloud.CloudException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  private final FakeTime time = new FakeTime();

  private static final CloudException THROTTLE =
      new CloudException(THROTTLED, "list ENIs", "slow down");

  private static RetryPolicy.Builder noJitter() {
    return RetryPolicy.builder()
        .initialBackoff(Duration.ofMillis(100))
        .maxBackoff(Duration.ofMillis(500))
        .multiplier(2)
        .jitter(RetryPolicy.Jitter.NONE)
        .deadline(Duration.ZERO)
        .maxAttempts(10);
  }

  private static List<Duration> delays(RetryAttempt attempt, int n) {
    var out = new ArrayList<Duration>();
    for (int i = 0; i < n; i++) {
      attempt.nextDelay().ifPresent(out::add);
    }
    return out;
  }

  @Test
  void backoffGrowsByTheMultiplierUpToTheCap() {
    RetryAttempt a = noJitter().build().start(time, new SplittableRandom(1));
    assertThat(delays(a, 5))
        .containsExactly(
            Duration.ofMillis(100),
            Duration.ofMillis(200),
            Duration.ofMillis(400),
            Duration.ofMillis(500),
            Duration.ofMillis(500));
  }

  @Test
  void attemptsAreCountedWithTheFirstIncluded() {
    RetryAttempt a = noJitter().maxAttempts(3).build().start(time, new SplittableRandom(1));
    assertThat(a.nextDelay()).isPresent();
    assertThat(a.nextDelay()).isPresent();
    assertThat(a.nextDelay()).isEmpty();
    assertThat(a.failures()).isEqualTo(3);
  }

  @Test
  void noRetryPolicyGivesUpAtOnce() {
    assertThat(RetryPolicy.none().start(time, new SplittableRandom(1)).nextDelay(THROTTLE))
        .isEmpty();
  }

  @Test
  void fullJitterStaysWithinZeroAndTheBackoff() {
    RetryPolicy p = noJitter().jitter(RetryPolicy.Jitter.FULL).maxAttempts(1000).build();
    RetryAttempt a = p.start(time, new SplittableRandom(42));
    List<Duration> ds = delays(a, 999);
    assertThat(ds).allSatisfy(d -> assertThat(d).isBetween(Duration.ZERO, Duration.ofMillis(500)));
    assertThat(ds.getFirst()).isBetween(Duration.ZERO, Duration.ofMillis(100));
    assertThat(ds.stream().distinct().count()).as("jitter spreads delays").isGreaterThan(100);
  }

  @Test
  void equalJitterStaysWithinHalfAndTheWholeBackoff() {
    RetryPolicy p = noJitter().jitter(RetryPolicy.Jitter.EQUAL).maxAttempts(1000).build();
    List<Duration> ds = delays(p.start(time, new SplittableRandom(7)), 999);
    assertThat(ds.subList(3, ds.size()))
        .allSatisfy(d -> assertThat(d).isBetween(Duration.ofMillis(250), Duration.ofMillis(500)));
    assertThat(ds.getFirst()).isBetween(Duration.ofMillis(50), Duration.ofMillis(100));
  }

  @Test
  void noDelayEndsPastTheDeadline() {
    RetryPolicy p = noJitter().deadline(Duration.ofMillis(1000)).build();
    RetryAttempt a = p.start(time, new SplittableRandom(1));
    time.advance(Duration.ofMillis(700));
    assertThat(a.nextDelay()).contains(Duration.ofMillis(100));
    time.advance(Duration.ofMillis(100));
    assertThat(a.nextDelay()).contains(Duration.ofMillis(200));
    time.advance(Duration.ofMillis(200));
    assertThat(a.nextDelay()).as("400 ms would end at 1400 ms").isEmpty();
  }

  @Test
  void nonRetryableFailuresStopAtOnce() {
    RetryAttempt a = noJitter().build().start(time, new SplittableRandom(1));
    assertThat(a.nextDelay(new CloudException(NOT_FOUND, "describe ENI eni-1", "gone"))).isEmpty();
    assertThat(a.nextDelay(new IllegalStateException("bug"))).isEmpty();
  }

  @Test
  void retryableReasonsCanBeChosen() {
    RetryPolicy p = noJitter().retryOn(EnumSet.of(CONFLICT)).build();
    assertThat(p.isRetryable(new CloudException(CONFLICT, "update port p", "409"))).isTrue();
    assertThat(p.isRetryable(THROTTLE)).isFalse();
    assertThat(RetryPolicy.defaults().isRetryable(new CloudException(TRANSIENT, "x", "y")))
        .isTrue();
    assertThat(RetryPolicy.defaults().isRetryable(new CloudException(CONFLICT, "x", "y")))
        .isFalse();
  }

  @Test
  void aServersRetryAfterHintLengthensTheDelay() {
    RetryAttempt a = noJitter().build().start(time, new SplittableRandom(1));
    var hinted = new CloudException(THROTTLED, "list ENIs", "429", Duration.ofSeconds(3), null);
    assertThat(a.nextDelay(hinted)).contains(Duration.ofSeconds(3));
    assertThat(a.nextDelay(THROTTLE)).contains(Duration.ofMillis(200));
  }

  @Test
  void builderRejectsBadSettingsNamingThem() {
    assertThatThrownBy(() -> RetryPolicy.builder().maxAttempts(0))
        .hasMessageContaining("maxAttempts");
    assertThatThrownBy(() -> RetryPolicy.builder().multiplier(0.5))
        .hasMessageContaining("multiplier");
    assertThatThrownBy(() -> RetryPolicy.builder().deadline(Duration.ofSeconds(-1)))
        .hasMessageContaining("deadline");
    assertThatThrownBy(
            () ->
                RetryPolicy.builder()
                    .initialBackoff(Duration.ofSeconds(5))
                    .maxBackoff(Duration.ofSeconds(1))
                    .build())
        .hasMessageContaining("initialBackoff");
  }

  @Test
  void policyPrintsItsSettings() {
    assertThat(RetryPolicy.defaults().toString())
        .isEqualTo(
            "retry 6 attempts backoff PT0.2S x2.0 max PT10S jitter full deadline PT1M on retryable"
                + " reasons");
    assertThat(Optional.of(RetryPolicy.defaults().toBuilder().build().maxAttempts())).contains(6);
  }

  @Test
  void policiesComeFromSettingsNamingTheBadOne() {
    RetryPolicy p =
        RetryPolicy.fromSettings(
            java.util.Map.of(
                "retry.maxAttempts", "3",
                "retry.initialBackoff", "250ms",
                "retry.maxBackoff", "PT2S",
                "retry.jitter", "equal",
                "retry.deadline", "0",
                "other.key", "ignored"),
            "retry.");
    assertThat(p.maxAttempts()).isEqualTo(3);
    assertThat(p.initialBackoff()).isEqualTo(Duration.ofMillis(250));
    assertThat(p.maxBackoff()).isEqualTo(Duration.ofSeconds(2));
    assertThat(p.jitter()).isEqualTo(RetryPolicy.Jitter.EQUAL);
    assertThat(p.deadline()).isZero();
    assertThatThrownBy(
            () -> RetryPolicy.fromSettings(java.util.Map.of("retry.deadline", "soon"), "retry."))
        .hasMessageStartingWith("bad retry setting retry.deadline=\"soon\"");
    assertThatThrownBy(
            () -> RetryPolicy.fromSettings(java.util.Map.of("retry.tries", "3"), "retry."))
        .hasMessageContaining("unknown setting");
  }
}
