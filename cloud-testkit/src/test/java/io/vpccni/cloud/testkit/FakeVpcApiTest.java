package io.vpccni.cloud.testkit;

import static io.vpccni.cloud.CloudException.Reason.CONFLICT;
import static io.vpccni.cloud.CloudException.Reason.INVALID_REQUEST;
import static io.vpccni.cloud.CloudException.Reason.NOT_FOUND;
import static io.vpccni.cloud.CloudException.Reason.QUOTA_EXCEEDED;
import static io.vpccni.cloud.CloudException.Reason.THROTTLED;
import static io.vpccni.cloud.CloudException.Reason.TRANSIENT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.vpccni.cloud.CloudException;
import io.vpccni.cloud.CloudOperation;
import io.vpccni.cloud.Eni;
import io.vpccni.cloud.EniCreateRequest;
import io.vpccni.cloud.EniFilter;
import io.vpccni.cloud.EniStatus;
import io.vpccni.cloud.IpAssignment;
import io.vpccni.cloud.VpcApis;
import io.vpccni.netaddr.IpAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class FakeVpcApiTest {
  private final ManualClock clock = new ManualClock();
  private final FakeVpcApi fake = new FakeVpcApi(clock, clock, clock, 7);

  FakeVpcApiTest() {
    fake.addSubnet("subnet-a", "10.0.0.0/24", "zone-a");
    fake.addSubnet("subnet-b", "10.0.1.0/24", "zone-b");
    fake.addInstance("i-1", InstanceType.C5_XLARGE, "subnet-a", List.of("sg-1"));
  }

  private Eni create() {
    return fake.createEni(new EniCreateRequest("subnet-a", List.of(), Map.of(), ""));
  }

  private static CloudException.Reason reasonOf(Runnable call) {
    return catchThrowableOfType(CloudException.class, call::run).reason();
  }

  // ---- realistic rules beyond the contract ----

  @Test
  void instanceTypesCarryRealLimits() {
    var i = fake.describeInstance("i-1");
    assertThat(i.type()).isEqualTo("c5.xlarge");
    assertThat(i.eniQuota()).isEqualTo(4);
    assertThat(i.ipsPerEni()).isEqualTo(14);
    assertThat(i.sharedModeCapacity()).isEqualTo(42);
    assertThat(i.availabilityZone()).isEqualTo("zone-a");
  }

  @Test
  void subnetsReserveFiveAddressesAndHandOutTheLowestFree() {
    assertThat(fake.describeSubnet("subnet-b").availableIps()).isEqualTo(251);
    Eni eni = fake.createEni(new EniCreateRequest("subnet-b", List.of(), Map.of(), ""));
    assertThat(eni.primaryIp()).isEqualTo(IpAddress.parse("10.0.1.4"));
    assertThatThrownBy(
            () -> fake.assignIps(eni.id(), IpAssignment.of(List.of(IpAddress.parse("10.0.1.255")))))
        .hasMessageContaining("not an assignable address");
  }

  @Test
  void macsAndIdsAreUniqueAndDeterministic() {
    Eni a = create();
    Eni b = create();
    assertThat(a.id()).isEqualTo("eni-00000002");
    assertThat(a.mac().toString()).isEqualTo("02:fa:ce:00:00:02");
    assertThat(b.mac()).isNotEqualTo(a.mac());
  }

  @Test
  void attachingAcrossZonesIsInvalid() {
    Eni eni = fake.createEni(new EniCreateRequest("subnet-b", List.of(), Map.of(), ""));
    assertThat(reasonOf(() -> fake.attachEni(eni.id(), "i-1", 1))).isEqualTo(INVALID_REQUEST);
  }

  @Test
  void anEniHoldingMoreIpsThanTheTypeAllowsCannotAttach() {
    Eni eni = fake.createEni(new EniCreateRequest("subnet-a", List.of(), Map.of(), "", 15));
    assertThat(reasonOf(() -> fake.attachEni(eni.id(), "i-1", 1))).isEqualTo(QUOTA_EXCEEDED);
  }

  @Test
  void terminatingAnInstanceDeletesItsPrimaryAndDetachesTheRest() {
    Eni eni = create();
    fake.attachEni(eni.id(), "i-1", 1);
    String primary = fake.describeInstance("i-1").primaryEniId();
    fake.terminateInstance("i-1");
    assertThat(fake.describeEni(eni.id()).attachment()).isEmpty();
    assertThat(reasonOf(() -> fake.describeEni(primary))).isEqualTo(NOT_FOUND);
    assertThat(reasonOf(() -> fake.describeInstance("i-1"))).isEqualTo(NOT_FOUND);
  }

  @Test
  void concurrentAssignsNeverHandOutAnAddressTwice() throws Exception {
    List<Eni> enis = List.of(create(), create(), create(), create());
    var got = new ConcurrentLinkedQueue<IpAddress>();
    try (var pool = Executors.newFixedThreadPool(4)) {
      var futures = new ArrayList<Future<?>>();
      for (Eni eni : enis) {
        futures.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 20; i++) {
                    got.addAll(fake.assignIps(eni.id(), IpAssignment.count(2)));
                  }
                }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    }
    assertThat(got).hasSize(160);
    assertThat(new HashSet<>(got)).hasSize(160);
    assertThat(fake.describeSubnet("subnet-a").availableIps()).isEqualTo(251 - 1 - 4 - 160);
  }

  // ---- fault injection ----

  @Test
  void failNextFailsExactlyThatManyCallsOfThatOperation() {
    fake.faults().failNext(2, TRANSIENT, CloudOperation.CREATE_ENI);
    fake.describeSubnet("subnet-a");
    assertThat(reasonOf(this::create)).isEqualTo(TRANSIENT);
    CloudException e = catchThrowableOfType(CloudException.class, this::create);
    assertThat(e).hasMessage("failed to create ENI in subnet subnet-a: injected fault (TRANSIENT)");
    assertThat(create().id()).startsWith("eni-");
    assertThat(fake.faults().injectedCount()).isEqualTo(2);
    assertThat(fake.allEnis()).hasSize(2).as("failed creates left nothing");
  }

  @Test
  void failRandomlyFollowsTheProbabilityRepeatably() {
    fake.faults().failRandomly(0.3, THROTTLED, CloudOperation.DESCRIBE_SUBNET);
    int failed = 0;
    for (int i = 0; i < 1000; i++) {
      try {
        fake.describeSubnet("subnet-a");
      } catch (CloudException e) {
        failed++;
      }
    }
    // seeded: the same count on every run; the bounds only document that it is about 30 %
    assertThat(failed).isBetween(250, 350);
    fake.describeInstance("i-1");
  }

  @Test
  void latencyIsSleptPerOperation() {
    fake.faults().latency(Duration.ofMillis(200), CloudOperation.ATTACH_ENI);
    fake.faults().latency(Duration.ofMillis(50), CloudOperation.LIST_ENIS);
    Eni eni = create();
    fake.attachEni(eni.id(), "i-1", 1);
    fake.listEnis(EniFilter.byInstance("i-1"));
    assertThat(clock.sleeps()).containsExactly(Duration.ofMillis(200), Duration.ofMillis(50));
  }

  @Test
  void throttlingRefusesCallsBeyondTheRate() {
    fake.faults().throttle(2, 2);
    fake.describeInstance("i-1");
    fake.describeInstance("i-1");
    CloudException e =
        catchThrowableOfType(CloudException.class, () -> fake.describeInstance("i-1"));
    assertThat(e.reason()).isEqualTo(THROTTLED);
    assertThat(e).hasMessageStartingWith("failed to describe instance i-1: request limit exceeded");
    clock.advance(Duration.ofMillis(500));
    fake.describeInstance("i-1");
  }

  @Test
  void newEnisStayInvisibleToDescribeAndListForTheDelay() {
    fake.faults().eventualConsistency(Duration.ofSeconds(2));
    Eni eni = fake.createEni(new EniCreateRequest("subnet-a", List.of(), Map.of("k", "v"), ""));
    assertThat(reasonOf(() -> fake.describeEni(eni.id()))).isEqualTo(NOT_FOUND);
    assertThat(fake.listEnis(EniFilter.byTags(Map.of("k", "v")))).isEmpty();
    assertThat(fake.allEnis()).extracting(Eni::id).contains(eni.id());
    clock.advance(Duration.ofSeconds(2));
    assertThat(fake.describeEni(eni.id()).id()).isEqualTo(eni.id());
    assertThat(fake.listEnis(EniFilter.byTags(Map.of("k", "v")))).hasSize(1);
  }

  @Test
  void attachmentsSettleAfterTheAttachDelay() {
    fake.faults().attachDelay(Duration.ofSeconds(1));
    Eni eni = create();
    assertThat(fake.attachEni(eni.id(), "i-1", 1).status()).isEqualTo(EniStatus.ATTACHING);
    clock.advance(Duration.ofSeconds(1));
    assertThat(fake.describeEni(eni.id()).status()).isEqualTo(EniStatus.IN_USE);
  }

  @Test
  void callsAreCountedPerOperationFailedOnesIncluded() {
    fake.faults().failNext(1, CONFLICT, CloudOperation.DELETE_ENI);
    Eni eni = create();
    assertThat(reasonOf(() -> fake.deleteEni(eni.id()))).isEqualTo(CONFLICT);
    fake.deleteEni(eni.id());
    assertThat(fake.calls(CloudOperation.CREATE_ENI)).isEqualTo(1);
    assertThat(fake.calls(CloudOperation.DELETE_ENI)).isEqualTo(2);
    assertThat(fake.totalCalls()).isEqualTo(3);
    assertThat(fake.callCounts())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(CloudOperation.CREATE_ENI, 1L, CloudOperation.DELETE_ENI, 2L));
    fake.resetCallCounts();
    assertThat(fake.totalCalls()).isZero();
  }

  @Test
  void clearRemovesEveryFault() {
    fake.faults().failRandomly(1.0, THROTTLED).latency(Duration.ofSeconds(1));
    fake.faults().clear();
    fake.describeInstance("i-1");
    assertThat(clock.sleeps()).isEmpty();
  }

  @Test
  void theFakeIsFoundAsProviderFake() {
    var api =
        VpcApis.create(
            "fake",
            Map.of(
                "subnet.subnet-a", "10.0.0.0/24@zone-a",
                "instance.i-9", "m5.large@subnet-a"));
    assertThat(api.describeInstance("i-9").eniQuota()).isEqualTo(3);
    assertThatThrownBy(() -> VpcApis.create("fake", Map.of("instance.i-9", "z9.huge@subnet-a")))
        .hasMessageContaining("setting instance.i-9=\"z9.huge@subnet-a\"");
  }
}
