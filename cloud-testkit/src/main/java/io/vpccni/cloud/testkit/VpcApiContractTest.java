package io.vpccni.cloud.testkit;

import static io.vpccni.cloud.CloudException.Reason.CONFLICT;
import static io.vpccni.cloud.CloudException.Reason.INSUFFICIENT_ADDRESSES;
import static io.vpccni.cloud.CloudException.Reason.INVALID_REQUEST;
import static io.vpccni.cloud.CloudException.Reason.NOT_FOUND;
import static io.vpccni.cloud.CloudException.Reason.QUOTA_EXCEEDED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vpccni.cloud.Attachment;
import io.vpccni.cloud.CloudException;
import io.vpccni.cloud.CloudException.Reason;
import io.vpccni.cloud.Eni;
import io.vpccni.cloud.EniCreateRequest;
import io.vpccni.cloud.EniFilter;
import io.vpccni.cloud.EniStatus;
import io.vpccni.cloud.Instance;
import io.vpccni.cloud.IpAssignment;
import io.vpccni.cloud.OwnershipTags;
import io.vpccni.cloud.Subnet;
import io.vpccni.cloud.VpcApi;
import io.vpccni.cloud.retry.Retrier;
import io.vpccni.cloud.retry.RetryPolicy;
import io.vpccni.netaddr.IpAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behavioural contract of {@link VpcApi} (documented on that interface), run by every provider
 * through a one-screen subclass (STYLE rule 6), as Netty's transports run {@code SocketEchoTest}:
 *
 * <pre>{@code
 * class OpenStackVpcApiContractTest extends VpcApiContractTest {
 *   protected Fixture createFixture() {
 *     var api = new OpenStackVpcApi(emulator.endpoint());
 *     return new Fixture(api, "node-1", "subnet-a", List.of("sg-1"), Optional.empty(), () -> {});
 *   }
 *   protected boolean enforcesDeviceIndex() { return false; }
 * }
 * }</pre>
 *
 * <p>The fixture's instance must have only its primary ENI attached when each test starts, at least
 * 2 ENIs of quota, and at least 1 IP per ENI; its subnet needs {@code ipsPerEni} + 20 free
 * addresses in the instance's zone. Every ENI a test creates carries ownership tags with a per-test
 * cluster id (so tests do not see each other's ENIs on a shared server) and is detached and deleted
 * after the test. Where the provider is eventually consistent or attaches asynchronously, {@link
 * #visibilityTimeout()} bounds how long the suite waits for a change to show.
 */
public abstract class VpcApiContractTest {

  /**
   * What a provider gives the suite. Public, not protected: a protected record's canonical
   * constructor is protected too, and a subclass in another package cannot call {@code new} on it.
   *
   * @param api the provider under test
   * @param instanceId an instance the suite may attach ENIs to
   * @param subnetId a subnet in the instance's zone with {@code ipsPerEni} + 20 free addresses
   * @param securityGroups security groups new ENIs get
   * @param exhaustibleSubnetId a subnet (same zone) with 1 to 16 free addresses that the suite may
   *     fill for a moment; empty skips the exhaustion test
   * @param cleanup run after each test, after the suite's own cleanup
   */
  public record Fixture(
      VpcApi api,
      String instanceId,
      String subnetId,
      List<String> securityGroups,
      Optional<String> exhaustibleSubnetId,
      AutoCloseable cleanup) {}

  /** Creates (or hands out again) the provider and its test resources; called before each test. */
  protected abstract Fixture createFixture() throws Exception;

  /** Whether attaching beyond {@link Instance#eniQuota()} is {@code QUOTA_EXCEEDED}. */
  protected boolean enforcesEniQuota() {
    return true;
  }

  /** Whether holding more than {@link Instance#ipsPerEni()} on an attached ENI is refused. */
  protected boolean enforcesIpsPerEniQuota() {
    return true;
  }

  /** Whether attaching at a device index already in use is {@code CONFLICT}. */
  protected boolean enforcesDeviceIndex() {
    return true;
  }

  /**
   * How long a change may take to show: a new ENI to appear in describe and list, an attach or
   * detach to complete. Zero for a cloud that is consistent and synchronous.
   */
  protected Duration visibilityTimeout() {
    return Duration.ZERO;
  }

  protected Fixture fixture;
  protected VpcApi api;
  protected Instance instance;
  protected String clusterId;
  private final List<String> created = new ArrayList<>();

  @BeforeEach
  void setUpFixture() throws Exception {
    fixture = createFixture();
    api = fixture.api();
    instance = api.describeInstance(fixture.instanceId());
    clusterId = "contract-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16);
  }

  @AfterEach
  void tearDownFixture() throws Exception {
    try {
      for (String id : created.reversed()) {
        ignoreNotFound(
            () -> {
              api.detachEni(id);
              return eventually(() -> api.describeEni(id), e -> e.attachment().isEmpty());
            });
        ignoreNotFound(
            () -> {
              api.deleteEni(id);
              return null;
            });
      }
    } finally {
      fixture.cleanup().close();
    }
  }

  // ---- instances and subnets ----

  @Test
  void describeInstanceReportsLimitsAndPrimaryEni() {
    assertThat(instance.id()).isEqualTo(fixture.instanceId());
    assertThat(instance.eniQuota()).isGreaterThanOrEqualTo(2);
    assertThat(instance.ipsPerEni()).isGreaterThanOrEqualTo(1);
    Eni primary = describe(instance.primaryEniId());
    assertThat(primary.attachment()).contains(new Attachment(instance.id(), 0));
    assertThat(api.listEnis(EniFilter.byInstance(instance.id())))
        .extracting(Eni::id)
        .containsExactly(instance.primaryEniId());
  }

  @Test
  void unknownIdsAreNotFound() {
    expect(NOT_FOUND, () -> api.describeInstance("i-does-not-exist"), "i-does-not-exist");
    expect(NOT_FOUND, () -> api.describeSubnet("subnet-does-not-exist"), "subnet-does-not-exist");
    expect(NOT_FOUND, () -> api.describeEni("eni-does-not-exist"), "eni-does-not-exist");
    expect(NOT_FOUND, () -> api.createEni(request("subnet-does-not-exist", "x", 0)), null);
  }

  @Test
  void subnetFreeCountFallsAndRisesWithAddresses() {
    Subnet before = api.describeSubnet(fixture.subnetId());
    assertThat(before.cidr().contains(instanceSubnetSample())).isTrue();
    Eni eni = create("n1", 2);
    assertThat(api.describeSubnet(fixture.subnetId()).availableIps())
        .isEqualTo(before.availableIps() - 3);
    api.deleteEni(eni.id());
    assertThat(api.describeSubnet(fixture.subnetId()).availableIps())
        .isEqualTo(before.availableIps());
  }

  // ---- create, describe, list ----

  @Test
  void createdEniIsAvailableInItsSubnetWithTagsAndDescription() {
    Eni eni = create("n1", 0);
    Subnet subnet = api.describeSubnet(fixture.subnetId());
    assertThat(eni.status()).isEqualTo(EniStatus.AVAILABLE);
    assertThat(eni.attachment()).isEmpty();
    assertThat(eni.subnetId()).isEqualTo(fixture.subnetId());
    assertThat(subnet.cidr().contains(eni.primaryIp())).isTrue();
    assertThat(eni.secondaryIps()).isEmpty();
    assertThat(eni.description()).isEqualTo("contract test n1");
    assertThat(new HashSet<>(eni.securityGroups())).containsAll(fixture.securityGroups());
    assertThat(eni.createdAt()).isAfter(Instant.parse("2020-01-01T00:00:00Z"));
    assertThat(OwnershipTags.fromMap(eni.tags()).map(OwnershipTags::nodeName)).contains("n1");
    assertThat(OwnershipTags.isOursFor(clusterId).test(eni.tags())).isTrue();

    Eni seen = eventually(() -> api.describeEni(eni.id()), e -> true);
    assertThat(seen.mac()).isEqualTo(eni.mac());
    assertThat(seen.tags()).isEqualTo(eni.tags());
    assertThat(seen.primaryIp()).isEqualTo(eni.primaryIp());
  }

  @Test
  void createWithSecondaryIpsAssignsDistinctAddressesOfTheSubnet() {
    Eni eni = create("n1", 3);
    Subnet subnet = api.describeSubnet(fixture.subnetId());
    assertThat(eni.secondaryIps())
        .hasSize(3)
        .doesNotHaveDuplicates()
        .doesNotContain(eni.primaryIp());
    assertThat(eni.secondaryIps()).allMatch(ip -> subnet.cidr().contains(ip));
  }

  @Test
  void listByTagsReturnsOnlyMatchingEnis() {
    Eni a = create("node-a", 0);
    Eni b = create("node-b", 0);
    List<Eni> byNode =
        eventually(
            () -> api.listEnis(EniFilter.byTags(OwnershipTags.nodeSelector(clusterId, "node-a"))),
            l -> !l.isEmpty());
    assertThat(byNode).extracting(Eni::id).containsExactly(a.id());
    List<Eni> byCluster =
        eventually(
            () -> api.listEnis(EniFilter.byTags(OwnershipTags.clusterSelector(clusterId))),
            l -> l.size() >= 2);
    assertThat(byCluster).extracting(Eni::id).containsExactlyInAnyOrder(a.id(), b.id());
    assertThat(api.listEnis(EniFilter.byTags(OwnershipTags.clusterSelector(clusterId + "-other"))))
        .isEmpty();
  }

  // ---- attach and detach ----

  @Test
  void attachedEniIsListedByInstanceWithItsDeviceIndex() {
    Eni eni = create("n1", 0);
    Eni attached = api.attachEni(eni.id(), instance.id(), 1);
    assertThat(attached.attachment()).contains(new Attachment(instance.id(), 1));
    assertThat(attached.status()).isIn(EniStatus.ATTACHING, EniStatus.IN_USE);
    List<Eni> onInstance =
        eventually(
            () -> api.listEnis(EniFilter.byInstance(instance.id())),
            l -> l.stream().anyMatch(e -> e.id().equals(eni.id())));
    assertThat(onInstance).extracting(Eni::id).contains(eni.id(), instance.primaryEniId());
    eventually(() -> api.describeEni(eni.id()), e -> e.status() == EniStatus.IN_USE);
    assertThat(
            api.listEnis(
                EniFilter.byTags(OwnershipTags.clusterSelector(clusterId))
                    .andInstance(instance.id())))
        .extracting(Eni::id)
        .containsExactly(eni.id());
  }

  @Test
  void attachingAgainAtTheSameIndexIsANoOp() {
    Eni eni = create("n1", 0);
    api.attachEni(eni.id(), instance.id(), 1);
    Eni again = api.attachEni(eni.id(), instance.id(), 1);
    assertThat(again.attachment()).contains(new Attachment(instance.id(), 1));
  }

  @Test
  void attachingAnEniAttachedElsewhereIsConflict() {
    assumeTrue(instance.eniQuota() >= 3, "instance needs 3 ENIs of quota");
    Eni eni = create("n1", 0);
    api.attachEni(eni.id(), instance.id(), 1);
    expect(CONFLICT, () -> api.attachEni(eni.id(), instance.id(), 2), eni.id());
  }

  @Test
  void attachingAtADeviceIndexInUseIsConflict() {
    assumeTrue(enforcesDeviceIndex(), "provider does not enforce device indexes");
    assumeTrue(instance.eniQuota() >= 3, "instance needs 3 ENIs of quota");
    Eni a = create("n1", 0);
    Eni b = create("n1", 0);
    api.attachEni(a.id(), instance.id(), 1);
    expect(CONFLICT, () -> api.attachEni(b.id(), instance.id(), 1), b.id());
    assertThat(describe(b.id()).attachment()).isEmpty();
  }

  @Test
  void deletingAnAttachedEniIsConflict() {
    Eni eni = create("n1", 0);
    api.attachEni(eni.id(), instance.id(), 1);
    expect(CONFLICT, () -> api.deleteEni(eni.id()), eni.id());
    assertThat(describe(eni.id()).id()).isEqualTo(eni.id());
  }

  @Test
  void detachingAnUnattachedEniIsANoOp() {
    Eni eni = create("n1", 0);
    assertThat(api.detachEni(eni.id()).attachment()).isEmpty();
  }

  @Test
  void detachingThePrimaryEniIsInvalid() {
    expect(INVALID_REQUEST, () -> api.detachEni(instance.primaryEniId()), instance.primaryEniId());
  }

  @Test
  void attachDetachDeleteRoundTripThenEverythingIsNotFound() {
    Eni eni = create("n1", 1);
    api.attachEni(eni.id(), instance.id(), 1);
    Eni detached = api.detachEni(eni.id());
    assertThat(detached.status()).isIn(EniStatus.DETACHING, EniStatus.AVAILABLE);
    eventually(() -> api.describeEni(eni.id()), e -> e.attachment().isEmpty());
    api.deleteEni(eni.id());
    String id = eni.id();
    expect(NOT_FOUND, () -> api.describeEni(id), id);
    expect(NOT_FOUND, () -> api.deleteEni(id), id);
    expect(NOT_FOUND, () -> api.detachEni(id), id);
    expect(NOT_FOUND, () -> api.attachEni(id, instance.id(), 1), id);
    expect(NOT_FOUND, () -> api.assignIps(id, IpAssignment.count(1)), id);
    expect(NOT_FOUND, () -> api.unassignIps(id, eni.secondaryIps()), id);
    assertThat(api.listEnis(EniFilter.byTags(OwnershipTags.clusterSelector(clusterId)))).isEmpty();
  }

  @Test
  void detachedEniLeavesTheInstanceListing() {
    Eni eni = create("n1", 0);
    api.attachEni(eni.id(), instance.id(), 1);
    api.detachEni(eni.id());
    List<Eni> onInstance =
        eventually(
            () -> api.listEnis(EniFilter.byInstance(instance.id())),
            l -> l.stream().noneMatch(e -> e.id().equals(eni.id())));
    assertThat(onInstance).extracting(Eni::id).containsExactly(instance.primaryEniId());
  }

  // ---- secondary IPs ----

  /**
   * Writes to one ENI from several threads are all kept. Neutron replaces {@code fixed_ips} as a
   * whole list and loses concurrent updates to one port, so a provider must serialise them.
   */
  @Test
  void concurrentAssignsAndUnassignsOnOneEniAreAllKept() throws Exception {
    Eni eni = create("n1", 0);
    int threads = 4;
    List<IpAddress> assigned = java.util.Collections.synchronizedList(new ArrayList<>());
    try (var pool = java.util.concurrent.Executors.newFixedThreadPool(threads)) {
      var futures = new ArrayList<java.util.concurrent.Future<?>>();
      for (int t = 0; t < threads; t++) {
        futures.add(
            pool.submit(() -> assigned.addAll(api.assignIps(eni.id(), IpAssignment.count(2)))));
      }
      for (var f : futures) {
        f.get();
      }
      assertThat(assigned).hasSize(2 * threads).doesNotHaveDuplicates();
      assertThat(describe(eni.id()).secondaryIps()).containsExactlyInAnyOrderElementsOf(assigned);

      futures.clear();
      for (int t = 0; t < threads; t++) {
        List<IpAddress> mine = List.copyOf(assigned.subList(2 * t, 2 * t + 2));
        futures.add(pool.submit(() -> api.unassignIps(eni.id(), mine)));
      }
      for (var f : futures) {
        f.get();
      }
    }
    assertThat(describe(eni.id()).secondaryIps()).isEmpty();
  }

  @Test
  void assignedIpsShowOnTheEniAndUnassignIsIdempotent() {
    Eni eni = create("n1", 0);
    List<IpAddress> ips = api.assignIps(eni.id(), IpAssignment.count(3));
    assertThat(ips).hasSize(3).doesNotHaveDuplicates().doesNotContain(eni.primaryIp());
    assertThat(describe(eni.id()).secondaryIps()).containsExactlyInAnyOrderElementsOf(ips);

    api.unassignIps(eni.id(), ips.subList(0, 2));
    assertThat(describe(eni.id()).secondaryIps()).containsExactly(ips.get(2));
    api.unassignIps(eni.id(), ips.subList(0, 2));
    assertThat(describe(eni.id()).secondaryIps()).containsExactly(ips.get(2));
  }

  @Test
  void specificIpsAreIdempotentOnTheirEniAndConflictElsewhere() {
    Eni a = create("n1", 1);
    Eni b = create("n1", 0);
    IpAddress ip = a.secondaryIps().getFirst();
    assertThat(api.assignIps(a.id(), IpAssignment.of(List.of(ip)))).containsExactly(ip);
    assertThat(describe(a.id()).secondaryIps()).containsExactly(ip);
    expect(CONFLICT, () -> api.assignIps(b.id(), IpAssignment.of(List.of(ip))), b.id());

    api.unassignIps(a.id(), List.of(ip));
    assertThat(api.assignIps(b.id(), IpAssignment.of(List.of(ip)))).containsExactly(ip);
    assertThat(describe(b.id()).secondaryIps()).containsExactly(ip);
  }

  @Test
  void assigningAnAddressOutsideTheSubnetIsInvalid() {
    Eni eni = create("n1", 0);
    Subnet subnet = api.describeSubnet(fixture.subnetId());
    IpAddress outside = IpAddress.parse("192.0.2.10");
    if (subnet.cidr().contains(outside)) {
      outside = IpAddress.parse("198.51.100.10");
    }
    IpAddress bad = outside;
    expect(INVALID_REQUEST, () -> api.assignIps(eni.id(), IpAssignment.of(List.of(bad))), null);
    assertThat(describe(eni.id()).secondaryIps()).isEmpty();
  }

  @Test
  void unassigningThePrimaryIpIsInvalid() {
    Eni eni = create("n1", 0);
    expect(INVALID_REQUEST, () -> api.unassignIps(eni.id(), List.of(eni.primaryIp())), eni.id());
    assertThat(describe(eni.id()).primaryIp()).isEqualTo(eni.primaryIp());
  }

  // ---- limits ----

  @Test
  void assigningBeyondIpsPerEniIsQuotaExceededAndAssignsNothing() {
    assumeTrue(enforcesIpsPerEniQuota(), "provider does not enforce IPs per ENI");
    Eni eni = create("n1", 0);
    api.attachEni(eni.id(), instance.id(), 1);
    api.assignIps(eni.id(), IpAssignment.count(instance.ipsPerEni()));
    long free = api.describeSubnet(fixture.subnetId()).availableIps();
    expect(QUOTA_EXCEEDED, () -> api.assignIps(eni.id(), IpAssignment.count(1)), eni.id());
    assertThat(describe(eni.id()).secondaryIps()).hasSize(instance.ipsPerEni());
    assertThat(api.describeSubnet(fixture.subnetId()).availableIps()).isEqualTo(free);
  }

  @Test
  void attachingBeyondTheEniQuotaIsQuotaExceeded() {
    assumeTrue(enforcesEniQuota(), "provider does not enforce ENIs per instance");
    assumeTrue(instance.eniQuota() <= 16, "instance quota too large to fill in a test");
    for (int index = 1; index < instance.eniQuota(); index++) {
      api.attachEni(create("n1", 0).id(), instance.id(), index);
    }
    Eni extra = create("n1", 0);
    expect(
        QUOTA_EXCEEDED, () -> api.attachEni(extra.id(), instance.id(), instance.eniQuota()), null);
    assertThat(describe(extra.id()).attachment()).isEmpty();
  }

  @Test
  void exhaustingASubnetIsInsufficientAddressesAndAssignsNothing() {
    assumeTrue(fixture.exhaustibleSubnetId().isPresent(), "no exhaustible subnet in the fixture");
    String small = fixture.exhaustibleSubnetId().get();
    Eni eni = track(api.createEni(request(small, "n1", 0)));
    long free = api.describeSubnet(small).availableIps();
    expect(
        INSUFFICIENT_ADDRESSES,
        () -> api.assignIps(eni.id(), IpAssignment.count((int) free + 1)),
        small);
    assertThat(api.describeSubnet(small).availableIps()).isEqualTo(free);
    assertThat(describe(eni.id()).secondaryIps()).isEmpty();
    expect(INSUFFICIENT_ADDRESSES, () -> api.createEni(request(small, "n1", (int) free)), small);
  }

  // ---- helpers for subclasses that add provider-specific cases ----

  /** Creates an ENI in the fixture's subnet tagged for this test's cluster and {@code node}. */
  protected Eni create(String node, int secondaryIps) {
    return track(api.createEni(request(fixture.subnetId(), node, secondaryIps)));
  }

  /** {@link VpcApi#describeEni}, waiting out eventual consistency for a new ENI. */
  protected Eni describe(String eniId) {
    return eventually(() -> api.describeEni(eniId), e -> true);
  }

  /**
   * The retrier {@link #eventually} polls with; the default really sleeps. A provider on a fake
   * clock returns one on that clock.
   */
  protected Retrier visibilityRetrier(RetryPolicy policy) {
    return Retrier.of(policy);
  }

  /** Registers an ENI for detach-and-delete after the test. */
  protected Eni track(Eni eni) {
    created.add(eni.id());
    return eni;
  }

  protected EniCreateRequest request(String subnetId, String node, int secondaryIps) {
    Map<String, String> tags = new OwnershipTags(clusterId, node, Instant.now()).toMap();
    return new EniCreateRequest(
        subnetId, fixture.securityGroups(), tags, "contract test " + node, secondaryIps);
  }

  /**
   * Asserts that {@code call} fails with {@code reason}, a message shaped {@code failed to …},
   * naming {@code mentioned} when not null.
   */
  protected static CloudException expect(Reason reason, ThrowingCallable call, String mentioned) {
    CloudException e = catchThrowableOfType(CloudException.class, call);
    assertThat(e).as("expected CloudException with reason " + reason).isNotNull();
    assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason);
    assertThat(e.getMessage()).startsWith("failed to ");
    if (mentioned != null) {
      assertThat(e.getMessage()).contains(mentioned);
    }
    return e;
  }

  /**
   * Calls until the result passes {@code ok} and no {@code NOT_FOUND} is thrown, for up to {@link
   * #visibilityTimeout()}: the one retry policy, not a sleep loop.
   */
  protected <T> T eventually(Supplier<T> call, Predicate<T> ok) {
    final class NotYet extends RuntimeException {
      NotYet(Object seen) {
        super("not yet: " + seen);
      }
    }
    Duration budget = visibilityTimeout();
    RetryPolicy policy =
        RetryPolicy.builder()
            .maxAttempts(budget.isZero() ? 1 : Integer.MAX_VALUE)
            .initialBackoff(Duration.ofMillis(20))
            .maxBackoff(Duration.ofMillis(200))
            .jitter(RetryPolicy.Jitter.NONE)
            .deadline(budget)
            .retryIf(
                t -> t instanceof NotYet || CloudException.hasReason(t, NOT_FOUND),
                "not yet visible")
            .build();
    return visibilityRetrier(policy)
        .call(
            () -> {
              T value = call.get();
              if (!ok.test(value)) {
                throw new NotYet(value);
              }
              return value;
            });
  }

  private IpAddress instanceSubnetSample() {
    return describe(instance.primaryEniId()).primaryIp();
  }

  private static void ignoreNotFound(Supplier<?> call) {
    try {
      call.get();
    } catch (CloudException e) {
      if (!e.isNotFound()) {
        throw e;
      }
    }
  }
}
