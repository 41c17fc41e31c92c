package io.vpccni.cloud.openstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.vpccni.cloud.Attachment;
import io.vpccni.cloud.CloudException;
import io.vpccni.cloud.Eni;
import io.vpccni.cloud.EniCreateRequest;
import io.vpccni.cloud.EniFilter;
import io.vpccni.cloud.EniStatus;
import io.vpccni.cloud.IpAssignment;
import io.vpccni.cloud.OwnershipTags;
import io.vpccni.cloud.openstack.api.ComputeClient;
import io.vpccni.cloud.openstack.api.NeutronClient;
import io.vpccni.cloud.openstack.api.NoAuthSession;
import io.vpccni.cloud.openstack.api.OpenStackSession;
import io.vpccni.emulator.VpcEmulator;
import io.vpccni.netaddr.IpAddress;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * HTTP requests per SPI call, counted by the emulator per operation, so that a change that adds one
 * shows here. The numbers are the budget, not a target: a test fails when a call makes more, or
 * other, requests than listed. The happy path of the pool refill (describe, create, attach) is what
 * the controller runs; the rest are the calls around it.
 */
class OpenStackRequestCountTest {
  private VpcEmulator emulator;
  private OpenStackVpcApi api;
  private NeutronClient neutron;
  private final AtomicLong nanos = new AtomicLong();
  private String networkId;
  private String subnetId;
  private String instanceId;

  @BeforeEach
  void start() {
    emulator = VpcEmulator.start();
    var vpc = emulator.vpc();
    networkId = vpc.createNetwork("vpc", List.of()).id;
    subnetId = vpc.createSubnet(networkId, "nodes", "10.0.0.0/24", "10.0.0.1", List.of()).id;
    instanceId = vpc.createInstance("node-1", "m5.large", subnetId, null).id;
    api = api(networkId);
    neutron = new NeutronClient(NoAuthSession.network(URI.create(emulator.baseUrl() + "/v2.0")));
  }

  private OpenStackVpcApi api(String network) {
    String base = emulator.baseUrl().toString();
    OpenStackSession session =
        NoAuthSession.of(
            Map.of(
                OpenStackSession.NETWORK,
                URI.create(base + "/v2.0"),
                OpenStackSession.COMPUTE,
                URI.create(base + "/v2.1")));
    return new OpenStackVpcApi(
        new NeutronClient(session),
        new ComputeClient(session),
        network,
        Map.of("m5.large", new FlavorLimits(3, 9)),
        new Facts(nanos::get, Facts.SERVER_TTL));
  }

  @AfterEach
  void stop() {
    api.close();
    emulator.close();
  }

  // ---- the pool refill: describe the instance and the subnet, create and attach ENIs

  @Test
  void describeInstanceReadsTheServerItsInterfacesAndItsPrimaryPort() {
    assertThat(requests(() -> api.describeInstance(instanceId)))
        .isEqualTo(Map.of("servers.show", 1L, "servers.interface.list", 1L, "ports.show", 1L));
    // always read, even when remembered: this is where a resize shows
    assertThat(total(() -> api.describeInstance(instanceId))).isEqualTo(3);
  }

  @Test
  void describeSubnetMakesTwoRequestsThenOne() {
    assertThat(requests(() -> api.describeSubnet(subnetId)))
        .isEqualTo(Map.of("subnets.show", 1L, "network_ip_availabilities.show", 1L));
    assertThat(requests(() -> api.describeSubnet(subnetId)))
        .isEqualTo(Map.of("network_ip_availabilities.show", 1L));
  }

  @Test
  void describeSubnetCountsPortsWhenIpAvailabilityIsForbidden() {
    long free = api.describeSubnet(subnetId).availableIps();
    try (OpenStackVpcApi member = api(networkId)) { // a user Neutron's policy denies the counts
      emulator
          .faults()
          .set(
              "network_ip_availabilities.show",
              io.vpccni.emulator.faults.FaultRule.NONE.withErrors(1.0, 403));
      Map<String, Long> first = requests(() -> assertFree(member, free));
      assertThat(first)
          .isEqualTo(
              Map.of("subnets.show", 1L, "network_ip_availabilities.show", 1L, "ports.list", 1L));
      assertThat(requests(() -> assertFree(member, free)))
          .as("a 403 is remembered: never asked again")
          .isEqualTo(Map.of("subnets.show", 1L, "ports.list", 1L));
      api.createEni(request(3)); // 4 addresses fewer, counted from the ports
      assertThat(member.describeSubnet(subnetId).availableIps()).isEqualTo(free - 4);
    }
  }

  private void assertFree(OpenStackVpcApi a, long free) {
    assertThat(a.describeSubnet(subnetId).availableIps()).isEqualTo(free);
  }

  @Test
  void createEniMakesOneRequestOnceTheSubnetIsKnown() {
    assertThat(requests(() -> api.createEni(request(3))))
        .isEqualTo(Map.of("subnets.show", 1L, "ports.create", 1L));
    assertThat(requests(() -> api.createEni(request(3)))).isEqualTo(Map.of("ports.create", 1L));
    try (OpenStackVpcApi fresh = api(networkId)) {
      fresh.describeSubnet(subnetId); // a describe remembers the subnet too
      assertThat(total(() -> fresh.createEni(request(0)))).isEqualTo(1);
    }
  }

  @Test
  void createsAtOnceInAnUnknownSubnetReadItOnce() throws Exception {
    emulator.faults().set("*", io.vpccni.emulator.faults.FaultRule.latency(50));
    Map<String, Long> counts =
        requests(
            () -> {
              try (var pool = java.util.concurrent.Executors.newFixedThreadPool(4)) {
                var futures = new java.util.ArrayList<java.util.concurrent.Future<Eni>>();
                for (int i = 0; i < 4; i++) {
                  futures.add(pool.submit(() -> api.createEni(request(2))));
                }
                for (var f : futures) {
                  assertThat(f.get().secondaryIps()).hasSize(2);
                }
              } catch (Exception e) {
                throw new AssertionError(e);
              }
            });
    assertThat(counts).isEqualTo(Map.of("subnets.show", 1L, "ports.create", 4L));
  }

  @Test
  void attachEniMakesFourRequestsWhileTheServerIsKnown() {
    api.describeInstance(instanceId);
    Eni eni = api.createEni(request(3));
    var counted = counted(() -> api.attachEni(eni.id(), instanceId, 1));
    assertThat(counted.requests())
        .isEqualTo(
            Map.of(
                "ports.show", 1L,
                "ports.list", 1L,
                "ports.tags", 1L,
                "servers.interface.attach", 1L));
    Eni attached = counted.value();
    assertThat(attached.attachment()).contains(new Attachment(instanceId, 1));
    assertThat(attached.status()).isEqualTo(EniStatus.IN_USE);
    // what the provider built without reading the port again is what a read shows
    assertThat(api.describeEni(eni.id())).isEqualTo(attached);
  }

  @Test
  void attachEniReadsTheServerWhenItsCopyIsOlderThanTheTtl() {
    api.describeInstance(instanceId);
    nanos.addAndGet(Facts.SERVER_TTL.toNanos());
    Eni eni = api.createEni(request(0));
    assertThat(requests(() -> api.attachEni(eni.id(), instanceId, 1)))
        .containsEntry("servers.show", 1L)
        .containsEntry("servers.interface.attach", 1L)
        .hasSize(5);
    Eni next = api.createEni(request(0));
    assertThat(requests(() -> api.attachEni(next.id(), instanceId, 2)))
        .doesNotContainKey("servers.show");
  }

  @Test
  void attachAtAnIndexBelowTheAttachedCountAsksNovaForTheUntaggedBootPort() {
    // no describeInstance: the boot port is not known as the primary
    Eni a = api.createEni(request(0));
    Eni b = api.createEni(request(0));
    api.attachEni(a.id(), instanceId, 2);
    // index 1 < 2 ports attached: only Nova's list says where the boot port (no tag) sits
    assertThat(requests(() -> api.attachEni(b.id(), instanceId, 1)))
        .containsEntry("servers.interface.list", 1L)
        .hasSize(5);
  }

  @Test
  void attachingAgainAtTheSameIndexReadsThePortOnly() {
    api.describeInstance(instanceId);
    Eni eni = api.createEni(request(0));
    api.attachEni(eni.id(), instanceId, 1);
    assertThat(requests(() -> api.attachEni(eni.id(), instanceId, 1)))
        .isEqualTo(Map.of("ports.show", 1L));
  }

  @Test
  void listEnisOfOurTagsIsOneRequest() {
    api.describeInstance(instanceId);
    api.attachEni(api.createEni(request(0)).id(), instanceId, 1);
    assertThat(requests(() -> api.listEnis(EniFilter.byTags(OwnershipTags.clusterSelector("c1")))))
        .isEqualTo(Map.of("ports.list", 1L));
    // by instance: the boot port has no device-index tag, but describeInstance named it primary
    assertThat(requests(() -> api.listEnis(EniFilter.byInstance(instanceId))))
        .isEqualTo(Map.of("ports.list", 1L));
    // once that is older than the TTL, Nova's list says where it is
    nanos.addAndGet(Facts.SERVER_TTL.toNanos());
    var listed = counted(() -> api.listEnis(EniFilter.byInstance(instanceId)));
    assertThat(listed.requests()).isEqualTo(Map.of("ports.list", 1L, "servers.interface.list", 1L));
    assertThat(listed.value())
        .extracting(e -> e.attachment().orElseThrow().deviceIndex())
        .containsExactlyInAnyOrder(0, 1);
  }

  // ---- the rest

  @Test
  void describeDetachAndDeleteMakeOneTwoAndTwoRequests() {
    api.describeInstance(instanceId);
    Eni eni = api.createEni(request(1));
    api.attachEni(eni.id(), instanceId, 1);
    assertThat(requests(() -> api.describeEni(eni.id()))).isEqualTo(Map.of("ports.show", 1L));
    var detached = counted(() -> api.detachEni(eni.id()));
    assertThat(detached.requests())
        .isEqualTo(Map.of("ports.show", 1L, "servers.interface.detach", 1L));
    assertThat(detached.value().status()).isEqualTo(EniStatus.DETACHING);
    assertThat(api.describeEni(eni.id()).status()).isEqualTo(EniStatus.AVAILABLE);
    assertThat(requests(() -> api.deleteEni(eni.id())))
        .isEqualTo(Map.of("ports.show", 1L, "ports.delete", 1L));
  }

  @Test
  void assignAndUnassignReadAndWriteThePortOnce() {
    api.describeInstance(instanceId);
    Eni eni = api.createEni(request(0));
    api.attachEni(eni.id(), instanceId, 1); // writes the primary-ip tag with the device index
    var assigned = counted(() -> api.assignIps(eni.id(), IpAssignment.count(2)));
    assertThat(assigned.requests()).isEqualTo(Map.of("ports.show", 1L, "ports.update", 1L));
    assertThat(requests(() -> api.assignIps(eni.id(), IpAssignment.of(assigned.value()))))
        .isEqualTo(Map.of("ports.show", 1L)); // the subnet's CIDR is remembered, and held: no-op
    assertThat(requests(() -> api.unassignIps(eni.id(), assigned.value())))
        .isEqualTo(Map.of("ports.show", 1L, "ports.update", 1L));
  }

  @Test
  void theFirstAddressChangeOfAnUnattachedEniTagsItsPrimaryFirst() {
    Eni eni = api.createEni(request(3));
    assertThat(requests(() -> api.assignIps(eni.id(), IpAssignment.count(5))))
        .isEqualTo(Map.of("ports.show", 1L, "ports.tags", 1L, "ports.update", 1L));
    Eni now = api.describeEni(eni.id());
    assertThat(now.primaryIp()).isEqualTo(eni.primaryIp());
    assertThat(now.secondaryIps()).hasSize(8).doesNotContain(eni.primaryIp());
    assertThat(neutron.getPort(eni.id()).tags())
        .contains(OpenStackVpcApi.PRIMARY_IP_TAG + "=" + eni.primaryIp());
    assertThat(requests(() -> api.assignIps(eni.id(), IpAssignment.count(1))))
        .isEqualTo(Map.of("ports.show", 1L, "ports.update", 1L));
  }

  @Test
  void theAttachTagsThePrimaryTheCreateReturned() {
    api.describeInstance(instanceId);
    Eni eni = api.createEni(request(6));
    assertThat(neutron.getPort(eni.id()).tags())
        .noneMatch(t -> t.startsWith(OpenStackVpcApi.PRIMARY_IP_TAG));
    api.attachEni(eni.id(), instanceId, 1);
    assertThat(neutron.getPort(eni.id()).tags())
        .contains(OpenStackVpcApi.PRIMARY_IP_TAG + "=" + eni.primaryIp());
    List<IpAddress> more = api.assignIps(eni.id(), IpAssignment.count(3));
    assertThat(api.describeEni(eni.id()).primaryIp()).isEqualTo(eni.primaryIp());
    assertThat(more).doesNotContain(eni.primaryIp());
  }

  @Test
  void aRememberedSubnetThatIsGoneIsNotFound() {
    var vpc = emulator.vpc();
    String otherNet = vpc.createNetwork("other", List.of()).id;
    String other = vpc.createSubnet(otherNet, "x", "10.9.0.0/24", "10.9.0.1", List.of()).id;
    try (OpenStackVpcApi any = api(null)) {
      any.describeSubnet(other);
      vpc.deleteNetwork(otherNet);
      CloudException described =
          catchThrowableOfType(CloudException.class, () -> any.describeSubnet(other));
      assertThat(described.reason()).isEqualTo(CloudException.Reason.NOT_FOUND);
      assertThat(described.getMessage()).contains(other);
    }
  }

  @Test
  void createEniInARememberedSubnetThatIsGoneIsNotFound() {
    var vpc = emulator.vpc();
    String otherNet = vpc.createNetwork("other", List.of()).id;
    String other = vpc.createSubnet(otherNet, "x", "10.9.0.0/24", "10.9.0.1", List.of()).id;
    try (OpenStackVpcApi any = api(null)) {
      any.describeSubnet(other);
      vpc.deleteNetwork(otherNet);
      CloudException e =
          catchThrowableOfType(
              CloudException.class,
              () -> any.createEni(new EniCreateRequest(other, List.of(), Map.of(), "gone", 0)));
      assertThat(e.reason()).isEqualTo(CloudException.Reason.NOT_FOUND);
      assertThat(e.getMessage()).contains(other);
    }
  }

  // ---- helpers

  private EniCreateRequest request(int secondaryIps) {
    return new EniCreateRequest(
        subnetId,
        List.of("sg-1"),
        new OwnershipTags("c1", "node-1", Instant.now()).toMap(),
        "count test",
        secondaryIps);
  }

  private record Counted<T>(T value, Map<String, Long> requests) {}

  private <T> Counted<T> counted(Supplier<T> call) {
    emulator.faults().resetRequestCounts();
    T value = call.get();
    return new Counted<>(value, emulator.faults().requestCounts());
  }

  private Map<String, Long> requests(Runnable call) {
    return counted(
            () -> {
              call.run();
              return null;
            })
        .requests();
  }

  private long total(Runnable call) {
    return requests(call).values().stream().mapToLong(Long::longValue).sum();
  }
}
