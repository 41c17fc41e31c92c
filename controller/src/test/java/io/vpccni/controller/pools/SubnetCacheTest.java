package io.vpccni.controller.pools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vpccni.cloud.CloudException;
import io.vpccni.cloud.CloudException.Reason;
import io.vpccni.cloud.CloudOperation;
import io.vpccni.cloud.EniCreateRequest;
import io.vpccni.cloud.testkit.FakeVpcApi;
import io.vpccni.cloud.testkit.InstanceType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The controller's one subnet cache, against the fake cloud: one describe per subnet per TTL for
 * every user of it (spec CIDRs, free counts, subnet choice), failures and unknown subnets.
 */
class SubnetCacheTest {
  final CloudRecordTest.TestClock clock = new CloudRecordTest.TestClock();
  FakeVpcApi cloud;
  SubnetCache cache;

  @BeforeEach
  void up() {
    cloud = new FakeVpcApi();
    cloud.addSubnet("subnet-1", "10.1.0.0/24", "z1");
    cloud.addSubnet("subnet-2", "10.2.0.0/24", "z1");
    cloud.addInstance("i-1", InstanceType.M5_LARGE, "subnet-1", List.of("sg"));
    cache = new SubnetCache(cloud, clock, Duration.ofSeconds(60));
  }

  long describes() {
    return cloud.calls(CloudOperation.DESCRIBE_SUBNET);
  }

  @Test
  void aSubnetIsDescribedAtMostOncePerTtlWhateverTheNumberOfUsersAndSyncs() {
    long free = cache.describe("subnet-1").availableIps();
    var ops =
        new VpcApiNodeOperations(
            cloud, "c1", n -> Optional.of("i-1"), clock, new SubnetChooser(cache));
    var chooser = new SubnetChooser(cache);
    for (int node = 0; node < 20; node++) {
      assertThat(ops.subnet("subnet-1").orElseThrow().freeIps).isEqualTo(free);
      chooser.choose(new PoolTarget("p", List.of("subnet-1"), List.of()), "z1", 1);
      assertThat(cache.cidrOf("subnet-1").cidr().toString()).isEqualTo("10.1.0.0/24");
    }
    assertThat(describes()).isEqualTo(1);
    cloud.createEni(new EniCreateRequest("subnet-1", List.of(), Map.of(), "someone else's", 3));
    clock.now = clock.now.plusSeconds(59);
    assertThat(cache.describe("subnet-1").availableIps()).as("still trusted").isEqualTo(free);
    clock.now = clock.now.plusSeconds(1);
    assertThat(cache.describe("subnet-1").availableIps()).isEqualTo(free - 4);
    assertThat(describes()).isEqualTo(2);
  }

  @Test
  void ourOwnUseCountsAtOnceAndExhaustedIsEmptyUntilTheEntryExpires() {
    long free = cache.describe("subnet-1").availableIps();
    cache.used("subnet-1", 5);
    assertThat(cache.describe("subnet-1").availableIps()).isEqualTo(free - 5);
    cache.exhausted("subnet-2");
    assertThat(cache.describe("subnet-2").availableIps()).isZero();
    clock.now = clock.now.plusSeconds(60);
    assertThat(cache.describe("subnet-2").availableIps()).isGreaterThan(200);
  }

  @Test
  void aFailedDescriptionKeepsTheLastKnownCountAndIsNotRetriedBeforeTheTtl() {
    long free = cache.describe("subnet-1").availableIps();
    clock.now = clock.now.plusSeconds(60);
    cloud.faults().failNext(1, Reason.THROTTLED, CloudOperation.DESCRIBE_SUBNET);
    assertThat(cache.describe("subnet-1").availableIps()).isEqualTo(free);
    assertThat(cache.describe("subnet-1").availableIps()).isEqualTo(free);
    assertThat(describes()).isEqualTo(2);
  }

  @Test
  void aSubnetNeverDescribedThrowsItsFailureForOnePeriod() {
    cloud.faults().failNext(1, Reason.THROTTLED, CloudOperation.DESCRIBE_SUBNET);
    assertThatThrownBy(() -> cache.describe("subnet-1"))
        .isInstanceOfSatisfying(
            CloudException.class, e -> assertThat(e.reason()).isEqualTo(Reason.THROTTLED));
    assertThatThrownBy(() -> cache.describe("subnet-1")).isInstanceOf(CloudException.class);
    assertThat(describes()).as("not asked again within the period").isEqualTo(1);
    clock.now = clock.now.plusSeconds(60);
    assertThat(cache.describe("subnet-1").cidr().toString()).isEqualTo("10.1.0.0/24");
  }

  @Test
  void anUnknownSubnetIsEmptyAndRememberedForOnePeriod() {
    assertThat(cache.find("subnet-nope")).isEmpty();
    assertThat(cache.find("subnet-nope")).isEmpty();
    assertThatThrownBy(() -> cache.describe("subnet-nope"))
        .isInstanceOfSatisfying(CloudException.class, e -> assertThat(e.isNotFound()).isTrue());
    assertThat(describes()).isEqualTo(1);
  }

  @Test
  void callersThatMissTheSameSubnetAtOnceShareOneDescribe() throws Exception {
    cloud.faults().latency(Duration.ofMillis(100), CloudOperation.DESCRIBE_SUBNET);
    try (var pool = Executors.newFixedThreadPool(8)) {
      List<Future<?>> all = new java.util.ArrayList<>();
      for (int i = 0; i < 8; i++) {
        all.add(pool.submit(() -> cache.cidrOf("subnet-2")));
      }
      for (Future<?> f : all) {
        f.get();
      }
    }
    assertThat(describes()).isEqualTo(1);
  }
}
