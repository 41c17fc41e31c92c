package io.vpccni.cloud.testkit;

import static io.vpccni.cloud.CloudException.Reason.CONFLICT;
import static io.vpccni.cloud.CloudException.Reason.THROTTLED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.vpccni.cloud.CloudException;
import io.vpccni.cloud.CloudOperation;
import io.vpccni.cloud.EniCreateRequest;
import io.vpccni.cloud.RateLimitedVpcApi;
import io.vpccni.cloud.RetryingVpcApi;
import io.vpccni.cloud.VpcApi;
import io.vpccni.cloud.ratelimit.RateLimiter;
import io.vpccni.cloud.retry.Retrier;
import io.vpccni.cloud.retry.RetryPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DecoratorsTest {
  private final ManualClock clock = new ManualClock();
  private final FakeVpcApi fake = new FakeVpcApi(clock, clock, clock, 1);
  private final RetryPolicy policy =
      RetryPolicy.builder()
          .maxAttempts(5)
          .initialBackoff(Duration.ofMillis(100))
          .jitter(RetryPolicy.Jitter.NONE)
          .build();
  private final Retrier retrier = new Retrier(policy, clock, clock, new SplittableRandom(1), null);

  DecoratorsTest() {
    fake.addSubnet("subnet-a", "10.0.0.0/24", "");
    fake.addInstance("i-1", InstanceType.M5_LARGE, "subnet-a", List.of());
  }

  @Test
  void retryingApiRidesOutThrottlingAndCountsEveryAttempt() {
    VpcApi api = new RetryingVpcApi(fake, retrier);
    fake.faults().failNext(2, THROTTLED, CloudOperation.CREATE_ENI);
    var eni = api.createEni(new EniCreateRequest("subnet-a", List.of(), Map.of(), ""));
    assertThat(eni.id()).startsWith("eni-");
    assertThat(fake.calls(CloudOperation.CREATE_ENI)).isEqualTo(3);
    assertThat(clock.sleeps()).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
  }

  @Test
  void retryingApiDoesNotRetryConflicts() {
    VpcApi api = new RetryingVpcApi(fake, retrier);
    var eni = api.createEni(new EniCreateRequest("subnet-a", List.of(), Map.of(), ""));
    api.attachEni(eni.id(), "i-1", 1);
    CloudException e = catchThrowableOfType(CloudException.class, () -> api.deleteEni(eni.id()));
    assertThat(e.reason()).isEqualTo(CONFLICT);
    assertThat(fake.calls(CloudOperation.DELETE_ENI)).isEqualTo(1);
  }

  @Test
  void rateLimitedApiRefusesWithoutCallingTheCloudWhenNoTokenComesInTime() {
    var limiter = new RateLimiter(1, 2, clock, clock);
    VpcApi api = new RateLimitedVpcApi(fake, limiter, Duration.ofMillis(500));
    api.describeInstance("i-1");
    api.describeInstance("i-1");
    CloudException e =
        catchThrowableOfType(CloudException.class, () -> api.describeInstance("i-1"));
    assertThat(e.reason()).isEqualTo(THROTTLED);
    assertThat(e).hasMessageStartingWith("failed to describe instance i-1: client rate limit");
    assertThat(fake.calls(CloudOperation.DESCRIBE_INSTANCE)).isEqualTo(2);
  }

  @Test
  void rateLimitedApiWaitsForATokenWithinItsBudget() {
    var limiter = new RateLimiter(10, 1, clock, clock);
    VpcApi api = new RateLimitedVpcApi(fake, limiter, Duration.ofSeconds(1));
    api.describeSubnet("subnet-a");
    api.describeSubnet("subnet-a");
    assertThat(clock.sleeps()).containsExactly(Duration.ofMillis(100));
    assertThat(fake.calls(CloudOperation.DESCRIBE_SUBNET)).isEqualTo(2);
  }

  @Test
  void retriesOverTheLimiterPayATokenEach() {
    var limiter = new RateLimiter(10, 1, clock, clock);
    VpcApi api =
        new RetryingVpcApi(new RateLimitedVpcApi(fake, limiter, Duration.ofSeconds(1)), retrier);
    fake.faults().failNext(1, THROTTLED, CloudOperation.LIST_ENIS);
    api.listEnis(io.vpccni.cloud.EniFilter.byInstance("i-1"));
    assertThat(fake.calls(CloudOperation.LIST_ENIS)).isEqualTo(2);
    assertThat(limiter.available()).isLessThan(1.0);
  }

  @Test
  void observedApiCountsEveryAttemptBelowTheRetrierAndTimesThem() {
    var counter = new io.vpccni.cloud.CallObserver.Counter();
    var durations = new java.util.ArrayList<Duration>();
    fake.faults().latency(Duration.ofMillis(30), CloudOperation.DESCRIBE_INSTANCE);
    fake.faults().failNext(2, THROTTLED, CloudOperation.DESCRIBE_INSTANCE);
    VpcApi counted =
        new io.vpccni.cloud.ObservedVpcApi(
            fake,
            (op, d, failure) -> {
              counter.called(op, d, failure);
              durations.add(d);
            },
            clock);
    new RetryingVpcApi(counted, retrier).describeInstance("i-1");
    assertThat(counter.calls(CloudOperation.DESCRIBE_INSTANCE)).isEqualTo(3);
    assertThat(counter.failures(CloudOperation.DESCRIBE_INSTANCE)).isEqualTo(2);
    assertThat(counter.snapshot()).containsOnlyKeys(CloudOperation.DESCRIBE_INSTANCE);
    assertThat(durations).containsOnly(Duration.ofMillis(30));
  }
}
