package io.vpccni.cloud.retry;

import static io.vpccni.cloud.CloudException.Reason.NOT_FOUND;
import static io.vpccni.cloud.CloudException.Reason.THROTTLED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.vpccni.cloud.CloudException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RetrierTest {
  private final FakeTime time = new FakeTime();
  private final RetryPolicy policy =
      RetryPolicy.builder()
          .maxAttempts(4)
          .initialBackoff(Duration.ofMillis(100))
          .maxBackoff(Duration.ofSeconds(1))
          .jitter(RetryPolicy.Jitter.NONE)
          .build();
  private final Retrier retrier = new Retrier(policy, time, time, new SplittableRandom(1), null);

  @Test
  void retriesUntilTheCallSucceedsSleepingTheBackoffs() {
    var calls = new AtomicInteger();
    String result =
        retrier.call(
            () -> {
              if (calls.incrementAndGet() < 3) {
                throw new CloudException(THROTTLED, "list ENIs", "slow down");
              }
              return "ok";
            });
    assertThat(result).isEqualTo("ok");
    assertThat(calls).hasValue(3);
    assertThat(time.sleeps).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
  }

  @Test
  void nonRetryableFailureIsThrownAfterOneCall() {
    var calls = new AtomicInteger();
    CloudException e =
        catchThrowableOfType(
            CloudException.class,
            () ->
                retrier.call(
                    () -> {
                      calls.incrementAndGet();
                      throw new CloudException(NOT_FOUND, "delete ENI eni-1", "gone");
                    }));
    assertThat(e.reason()).isEqualTo(NOT_FOUND);
    assertThat(calls).hasValue(1);
    assertThat(time.sleeps).isEmpty();
  }

  @Test
  void exhaustedBudgetThrowsTheLastFailureWithTheEarlierOnesSuppressed() {
    var n = new AtomicInteger();
    CloudException e =
        catchThrowableOfType(
            CloudException.class,
            () ->
                retrier.call(
                    () -> {
                      throw new CloudException(
                          THROTTLED, "list ENIs", "try " + n.incrementAndGet());
                    }));
    assertThat(e).hasMessage("failed to list ENIs: try 4");
    assertThat(e.getSuppressed()).hasSize(1);
    assertThat(e.getSuppressed()[0]).hasMessage("failed to list ENIs: try 1");
    assertThat(e.getSuppressed()[0].getSuppressed()).hasSize(2);
    assertThat(time.sleeps).hasSize(3);
  }

  @Test
  void listenerHearsEachRetry() {
    var heard = new ArrayList<Duration>();
    var r = new Retrier(policy, time, time, new SplittableRandom(1), (f, a, d) -> heard.add(d));
    catchThrowableOfType(
        CloudException.class,
        () ->
            r.call(
                () -> {
                  throw new CloudException(THROTTLED, "list ENIs", "slow");
                }));
    assertThat(heard).containsExactlyElementsOf(time.sleeps);
  }

  @Test
  void interruptDuringTheWaitStopsAndKeepsTheFlag() {
    Sleeper interrupted =
        d -> {
          throw new InterruptedException("stop");
        };
    var r = new Retrier(policy, interrupted, time, new SplittableRandom(1), null);
    try {
      CloudException e =
          catchThrowableOfType(
              CloudException.class,
              () ->
                  r.call(
                      () -> {
                        throw new CloudException(THROTTLED, "list ENIs", "slow");
                      }));
      assertThat(e.getSuppressed()).anyMatch(s -> s instanceof InterruptedException);
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
  }
}
