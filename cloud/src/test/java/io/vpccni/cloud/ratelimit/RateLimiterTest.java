package io.vpccni.cloud.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vpccni.cloud.retry.FakeTime;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
  private final FakeTime time = new FakeTime();
  private final RateLimiter limiter = new RateLimiter(10, 3, time, time);

  @Test
  void aFullBucketAllowsTheBurstAtOnce() {
    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.tryAcquire()).isFalse();
  }

  @Test
  void tokensComeBackAtTheRate() {
    for (int i = 0; i < 3; i++) {
      limiter.tryAcquire();
    }
    time.advance(Duration.ofMillis(99));
    assertThat(limiter.tryAcquire()).isFalse();
    time.advance(Duration.ofMillis(1));
    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.tryAcquire()).isFalse();
  }

  @Test
  void idleTimeRefillsNoMoreThanTheBurst() {
    time.advance(Duration.ofHours(1));
    assertThat(limiter.available()).isEqualTo(3.0);
  }

  @Test
  void acquireWaitsExactlyUntilTheNextToken() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      limiter.tryAcquire();
    }
    assertThat(limiter.acquire(Duration.ofSeconds(1))).isTrue();
    assertThat(limiter.acquire(Duration.ofSeconds(1))).isTrue();
    assertThat(time.sleeps).containsExactly(Duration.ofMillis(100), Duration.ofMillis(100));
  }

  @Test
  void waitersQueueBehindEarlierReservations() throws InterruptedException {
    // Two reservations taken before anyone sleeps: the second waits behind the first.
    var noSleep = new RateLimiter(10, 1, time, d -> {});
    noSleep.tryAcquire();
    assertThat(noSleep.acquire(Duration.ofSeconds(1))).isTrue();
    assertThat(noSleep.available()).isEqualTo(-1.0);
    assertThat(noSleep.acquire(Duration.ofMillis(150))).as("needs 200 ms").isFalse();
    assertThat(noSleep.acquire(Duration.ofMillis(200))).isTrue();
  }

  @Test
  void acquireGivesUpWithoutTakingWhenTheTokenComesTooLate() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      limiter.tryAcquire();
    }
    assertThat(limiter.acquire(Duration.ofMillis(50))).isFalse();
    assertThat(time.sleeps).isEmpty();
    time.advance(Duration.ofMillis(100));
    assertThat(limiter.tryAcquire()).as("the refused acquire took nothing").isTrue();
  }

  @Test
  void badSettingsAreRejectedByName() {
    assertThatThrownBy(() -> new RateLimiter(0, 1, time, time)).hasMessageContaining("rate");
    assertThatThrownBy(() -> new RateLimiter(1, 0, time, time)).hasMessageContaining("burst");
  }
}
