package io.vpccni.cloud.openstack.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vpccni.netaddr.IpAddress;
import io.vpccni.netaddr.IpPrefix;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The thin client against a REAL neutron-server (Debian Zed, noauth, ML2/openvswitch with fake
 * agent rows for compute-1 and compute-2, PostgreSQL), started by {@code scripts/neutron-server.sh}
 * through {@link RealNeutronServer}. Tag {@code neutron}: root, installs packages if missing
 * (~30-50 s the first time), ~5 s to start. Skipped only when the packages cannot be installed.
 */
@Tag("neutron")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(RealNeutronServer.Extension.class)
class PrivilegedNeutronRealServerTest {
  private static final String RUN_TAG = "vpccni-it=" + ProcessHandle.current().pid();

  private NeutronClient neutron;
  private Network net;
  private Subnet subnet;

  @BeforeAll
  void network(RealNeutronServer server) {
    neutron = new NeutronClient(NoAuthSession.network(server.endpoint));
    net = neutron.createNetwork(new NetworkCreate("it-net"));
    neutron.addTag(TaggedResource.NETWORKS, net.id(), RUN_TAG);
    subnet =
        neutron.createSubnet(
            SubnetCreate.of(net.id(), "it-subnet", IpPrefix.parse("10.77.0.0/16"))
                .withGateway(ip("10.77.0.1"))
                .withAllocationPools(
                    List.of(
                        new AllocationPool(ip("10.77.1.10"), ip("10.77.1.250")),
                        new AllocationPool(ip("10.77.2.10"), ip("10.77.255.250")))));
  }

  @AfterAll
  void cleanUp() {
    if (neutron == null) {
      return;
    }
    for (Port p : neutron.listPorts(ListFilter.all().networkId(net.id()).fields("id"))) {
      neutron.deletePort(p.id());
    }
    neutron.deleteSubnet(subnet.id());
    neutron.deleteNetwork(net.id());
    assertThat(neutron.listNetworks(ListFilter.all().tags(List.of(RUN_TAG)))).isEmpty();
  }

  private static IpAddress ip(String s) {
    return IpAddress.parse(s);
  }

  private static Set<IpAddress> ips(Port p) {
    return p.fixedIps().stream().map(FixedIp::ipAddress).collect(Collectors.toSet());
  }

  private Port newPort(String name) {
    return neutron.createPort(
        PortCreate.on(net.id()).withName(name).withFixedIps(List.of(FixedIp.anyIn(subnet.id()))));
  }

  @Test
  void networkAndSubnetRoundTrip() {
    assertThat(neutron.getNetwork(net.id()).tags()).containsExactly(RUN_TAG);
    assertThat(neutron.listNetworks(ListFilter.all().tags(List.of(RUN_TAG))))
        .extracting(Network::id)
        .containsExactly(net.id());
    Subnet s = neutron.getSubnet(subnet.id());
    assertThat(s.cidr()).isEqualTo(IpPrefix.parse("10.77.0.0/16"));
    assertThat(s.gatewayIp()).isEqualTo(ip("10.77.0.1"));
    assertThat(s.ipVersion()).isEqualTo(4);
    assertThat(s.enableDhcp()).isFalse();
    assertThat(s.allocationPools())
        .containsExactly(
            new AllocationPool(ip("10.77.1.10"), ip("10.77.1.250")),
            new AllocationPool(ip("10.77.2.10"), ip("10.77.255.250")));
    assertThat(neutron.listSubnets(ListFilter.all().networkId(net.id())))
        .extracting(Subnet::id)
        .containsExactly(subnet.id());
  }

  @Test
  void portWithTagsAndBindingHostThenAddAndRemoveIpsByWholeListReplace() {
    Port p =
        neutron.createPort(
            PortCreate.on(net.id())
                .withName("eni-0")
                .withFixedIps(List.of(FixedIp.anyIn(subnet.id())))
                .withDevice("vm-node-1", "compute:kube-node")
                .withHostId("compute-1")
                .withTags(List.of("cni.k8s.io-cluster=demo", "node=vm-node-1")));
    assertThat(p.status()).isEqualTo("DOWN"); // no agent ever sets ACTIVE
    assertThat(p.hostId()).isEqualTo("compute-1");
    assertThat(p.vifType()).isEqualTo("ovs"); // the fake OVS agent row lets ML2 bind
    assertThat(p.deviceId()).isEqualTo("vm-node-1");
    if (neutron.listExtensions().contains("tag-ports-during-bulk-creation")) {
      assertThat(p.tags()).containsExactlyInAnyOrder("cni.k8s.io-cluster=demo", "node=vm-node-1");
    } else {
      // A stock ML2 (extension_drivers = port_security) answers 201 and drops the tags silently.
      assertThat(p.tags()).isEmpty();
      assertThat(
              neutron.replaceTags(
                  TaggedResource.PORTS,
                  p.id(),
                  List.of("cni.k8s.io-cluster=demo", "node=vm-node-1")))
          .containsExactlyInAnyOrder("cni.k8s.io-cluster=demo", "node=vm-node-1");
    }
    assertThat(neutron.getPort(p.id()).tags())
        .containsExactlyInAnyOrder("cni.k8s.io-cluster=demo", "node=vm-node-1");
    assertThat(p.macAddress()).isNotNull();
    assertThat(p.fixedIps()).hasSize(1);
    IpAddress primary = p.fixedIps().getFirst().ipAddress();
    assertThat(subnet.allocationPools().stream().anyMatch(pool -> inPool(pool, primary))).isTrue();

    List<FixedIp> grown = new ArrayList<>(p.fixedIps());
    grown.add(FixedIp.anyIn(subnet.id()));
    grown.add(new FixedIp(subnet.id(), ip("10.77.7.7")));
    Port after = neutron.updatePort(p.id(), PortUpdate.fixedIps(grown));
    assertThat(after.fixedIps()).hasSize(3);
    assertThat(ips(after)).contains(primary, ip("10.77.7.7"));
    assertThat(after.revisionNumber()).isGreaterThan(p.revisionNumber());

    List<FixedIp> shrunk =
        after.fixedIps().stream().filter(f -> !f.ipAddress().equals(ip("10.77.7.7"))).toList();
    Port removed = neutron.updatePort(p.id(), PortUpdate.fixedIps(shrunk));
    assertThat(ips(removed)).hasSize(2).doesNotContain(ip("10.77.7.7")).contains(primary);
    assertThat(neutron.listPorts(ListFilter.all().fixedIp(ip("10.77.7.7")))).isEmpty();
    assertThat(neutron.listPorts(ListFilter.all().fixedIp(primary)).getFirst().id())
        .isEqualTo(p.id());

    neutron.deletePort(p.id());
    assertThatThrownBy(() -> neutron.getPort(p.id()))
        .isInstanceOfSatisfying(
            OpenStackApiException.class,
            e -> {
              assertThat(e.isNotFound()).isTrue();
              assertThat(e.type()).isEqualTo("PortNotFound");
            });
    assertThatThrownBy(() -> neutron.deletePort(p.id()))
        .isInstanceOfSatisfying(
            OpenStackApiException.class, e -> assertThat(e.status()).isEqualTo(404));
  }

  private static boolean inPool(AllocationPool pool, IpAddress a) {
    return pool.start().compareTo(a) <= 0 && a.compareTo(pool.end()) <= 0;
  }

  @Test
  void anAddressHeldByAnotherPortIsIpAddressAlreadyAllocated() {
    Port holder = newPort("holder");
    IpAddress taken = holder.fixedIps().getFirst().ipAddress();
    Port other = newPort("other");
    List<FixedIp> wanted = new ArrayList<>(other.fixedIps());
    wanted.add(new FixedIp(subnet.id(), taken));
    assertThatThrownBy(() -> neutron.updatePort(other.id(), PortUpdate.fixedIps(wanted)))
        .isInstanceOfSatisfying(
            OpenStackApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(409);
              assertThat(e.type()).isEqualTo("IpAddressAlreadyAllocated");
              assertThat(e.operation()).isEqualTo("update port " + other.id());
            });
    assertThatThrownBy(
            () ->
                neutron.createPort(
                    PortCreate.on(net.id()).withFixedIps(List.of(new FixedIp(subnet.id(), taken)))))
        .isInstanceOfSatisfying(
            OpenStackApiException.class,
            e -> assertThat(e.type()).isEqualTo("IpAddressAlreadyAllocated"));
    assertThat(neutron.getPort(other.id()).fixedIps()).isEqualTo(other.fixedIps()); // unchanged
  }

  @Test
  void anExhaustedPoolIsIpAddressGenerationFailure() {
    Network tinyNet = neutron.createNetwork(new NetworkCreate("it-tiny"));
    Subnet tiny =
        neutron.createSubnet(
            SubnetCreate.of(tinyNet.id(), "it-tiny", IpPrefix.parse("10.78.0.0/29"))
                .withAllocationPools(
                    List.of(new AllocationPool(ip("10.78.0.2"), ip("10.78.0.3")))));
    try {
      Port a =
          neutron.createPort(
              PortCreate.on(tinyNet.id())
                  .withFixedIps(List.of(FixedIp.anyIn(tiny.id()), FixedIp.anyIn(tiny.id()))));
      assertThat(ips(a)).containsExactlyInAnyOrder(ip("10.78.0.2"), ip("10.78.0.3"));
      assertThatThrownBy(() -> neutron.createPort(PortCreate.on(tinyNet.id())))
          .isInstanceOfSatisfying(
              OpenStackApiException.class,
              e -> {
                assertThat(e.status()).isEqualTo(409);
                assertThat(e.type()).isEqualTo("IpAddressGenerationFailure");
              });
      List<FixedIp> more = new ArrayList<>(a.fixedIps());
      more.add(FixedIp.anyIn(tiny.id()));
      assertThatThrownBy(() -> neutron.updatePort(a.id(), PortUpdate.fixedIps(more)))
          .isInstanceOfSatisfying(
              OpenStackApiException.class,
              e -> assertThat(e.type()).isEqualTo("IpAddressGenerationFailure"));
    } finally {
      for (Port p : neutron.listPorts(ListFilter.all().networkId(tinyNet.id()))) {
        neutron.deletePort(p.id());
      }
      neutron.deleteSubnet(tiny.id());
      neutron.deleteNetwork(tinyNet.id());
    }
  }

  @Test
  void tagsAndTagFilters() {
    Port a = newPort("tagged-a");
    Port b = newPort("tagged-b");
    String cluster = "cluster=" + RUN_TAG;
    neutron.addTag(TaggedResource.PORTS, a.id(), cluster);
    neutron.addTag(TaggedResource.PORTS, a.id(), "leak-check");
    neutron.addTag(TaggedResource.PORTS, b.id(), cluster);
    neutron.addTag(TaggedResource.PORTS, a.id(), "leak-check"); // idempotent
    assertThat(neutron.listTags(TaggedResource.PORTS, a.id()))
        .containsExactlyInAnyOrder(cluster, "leak-check");

    Function<ListFilter, List<String>> ids =
        f -> neutron.listPorts(f.fields("id")).stream().map(Port::id).sorted().toList();
    assertThat(ids.apply(ListFilter.all().tags(List.of(cluster))))
        .containsExactlyElementsOf(List.of(a.id(), b.id()).stream().sorted().toList());
    assertThat(ids.apply(ListFilter.all().tags(List.of(cluster, "leak-check"))))
        .containsExactly(a.id());
    assertThat(ids.apply(ListFilter.all().tagsAny(List.of("leak-check", "nope"))))
        .containsExactly(a.id());
    assertThat(ids.apply(ListFilter.all().tags(List.of(cluster)).notTags(List.of("leak-check"))))
        .containsExactly(b.id());
    assertThat(
            ids.apply(
                ListFilter.all().tags(List.of(cluster)).notTagsAny(List.of("leak-check", "nope"))))
        .containsExactly(b.id());

    Port partial =
        neutron
            .listPorts(ListFilter.all().tags(List.of("leak-check")).fields("id", "tags"))
            .getFirst();
    assertThat(partial.id()).isEqualTo(a.id());
    assertThat(partial.tags()).contains(cluster);
    assertThat(partial.networkId()).isEmpty(); // not asked for

    neutron.removeTag(TaggedResource.PORTS, a.id(), "leak-check");
    assertThatThrownBy(() -> neutron.removeTag(TaggedResource.PORTS, a.id(), "leak-check"))
        .isInstanceOfSatisfying(
            OpenStackApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(404);
              assertThat(e.type()).isEqualTo("TagNotFound");
            });
    assertThat(neutron.replaceTags(TaggedResource.PORTS, b.id(), List.of("x", "y=z")))
        .containsExactlyInAnyOrder("x", "y=z");
    assertThat(neutron.getPort(b.id()).tags()).containsExactlyInAnyOrder("x", "y=z");
    assertThat(ids.apply(ListFilter.all().tags(List.of(cluster)))).containsExactly(a.id());
    neutron.deletePort(a.id());
    neutron.deletePort(b.id());
  }

  @Test
  void deviceBindingAndAllowedAddressPairsUpdates() {
    Port p = newPort("eni-bind");
    assertThat(p.vifType()).isEqualTo("unbound");
    Port bound =
        neutron.updatePort(
            p.id(), PortUpdate.device("vm-node-2", "compute:kube-node").withHostId("compute-2"));
    assertThat(bound.deviceId()).isEqualTo("vm-node-2");
    assertThat(bound.hostId()).isEqualTo("compute-2");
    assertThat(bound.vifType()).isEqualTo("ovs");
    assertThat(neutron.listPorts(ListFilter.all().deviceId("vm-node-2")))
        .extracting(Port::id)
        .containsExactly(p.id());
    assertThat(
            neutron.listPorts(
                ListFilter.all().hostId("compute-2").deviceOwner("compute:kube-node")))
        .extracting(Port::id)
        .containsExactly(p.id());

    Port pairs =
        neutron.updatePort(
            p.id(),
            PortUpdate.allowedAddressPairs(
                List.of(AddressPair.of("10.77.50.0/24"), AddressPair.of("10.77.60.5"))));
    assertThat(pairs.allowedAddressPairs())
        .extracting(AddressPair::ipAddress)
        .containsExactly("10.77.50.0/24", "10.77.60.5");
    assertThat(pairs.allowedAddressPairs())
        .extracting(AddressPair::macAddress)
        .containsOnly(p.macAddress());

    Port unbound = neutron.updatePort(p.id(), PortUpdate.device("", "").withHostId(""));
    assertThat(unbound.deviceId()).isEmpty();
    assertThat(unbound.hostId()).isEmpty();
    assertThat(unbound.vifType()).isEqualTo("unbound");
    assertThat(
            neutron
                .updatePort(p.id(), PortUpdate.allowedAddressPairs(List.of()))
                .allowedAddressPairs())
        .isEmpty();
    neutron.deletePort(p.id());
  }

  @Test
  void aStaleIfMatchRevisionIsRevisionNumberConstraintFailed() {
    Port p = newPort("rev");
    neutron.updatePort(p.id(), PortUpdate.hostId("compute-1"), p.revisionNumber());
    assertThatThrownBy(() -> neutron.updatePort(p.id(), PortUpdate.hostId(""), p.revisionNumber()))
        .isInstanceOfSatisfying(
            OpenStackApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(412);
              assertThat(e.type()).isEqualTo("RevisionNumberConstraintFailed");
            });
    neutron.deletePort(p.id());
  }

  @Test
  void invalidInputIsA400WithNeutronsType() {
    assertThatThrownBy(() -> neutron.createPort(PortCreate.on("not-a-uuid")))
        .isInstanceOfSatisfying(
            OpenStackApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(400);
              assertThat(e.type()).isEqualTo("HTTPBadRequest");
              assertThat(e.getMessage()).contains("network_id");
            });
  }
}
