package io.vpccni.cloud.testkit;

import io.vpccni.cloud.retry.Retrier;
import io.vpccni.cloud.retry.RetryPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * The contract against a fake whose new ENIs stay invisible for 2 s and attach in 1 s, on a manual
 * clock that the suite's polling advances: shows that the suite tolerates eventual consistency
 * without sleeping.
 */
class EventuallyConsistentFakeContractTest extends VpcApiContractTest {
  private final ManualClock clock = new ManualClock();

  @Override
  protected Fixture createFixture() {
    var fake = new FakeVpcApi(clock, clock, clock, 1);
    fake.addSubnet("subnet-a", "10.0.0.0/24", "zone-a");
    fake.addSubnet("subnet-small", "10.0.9.0/28", "zone-a");
    fake.addInstance("i-1", InstanceType.C5_XLARGE, "subnet-a", List.of("sg-1"));
    fake.faults().eventualConsistency(Duration.ofSeconds(2)).attachDelay(Duration.ofSeconds(1));
    return new Fixture(fake, "i-1", "subnet-a", List.of("sg-1"), Optional.of("subnet-small"), fake);
  }

  @Override
  protected Duration visibilityTimeout() {
    return Duration.ofSeconds(5);
  }

  @Override
  protected Retrier visibilityRetrier(RetryPolicy policy) {
    return new Retrier(policy, clock, clock, new SplittableRandom(1), null);
  }
}
