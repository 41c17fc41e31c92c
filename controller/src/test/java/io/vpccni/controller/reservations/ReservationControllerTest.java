package io.vpccni.controller.reservations;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vpccni.cloud.CloudException;
import io.vpccni.cloud.CloudOperation;
import io.vpccni.cloud.Eni;
import io.vpccni.cloud.testkit.FakeVpcApi;
import io.vpccni.cloud.testkit.InstanceType;
import io.vpccni.controller.plan.WarmPoolConfig;
import io.vpccni.controller.pools.PoolController;
import io.vpccni.controller.pools.SubnetChooser;
import io.vpccni.controller.pools.VpcApiNodeOperations;
import io.vpccni.crd.IpReservation;
import io.vpccni.crd.NodeEni;
import io.vpccni.crd.NodeEniStatus;
import io.vpccni.crd.SubnetPool;
import io.vpccni.netaddr.IpAddress;
import io.vpccni.testkit.kube.MockKubeApi;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The controller's fixed-IP loop with the real pool loop and node operations, the SPI's fake cloud
 * and the mock API server (CRUD mode): moves across nodes (the cloud, both NodeENI specs and the
 * reservation follow), no move while a pod may use the address, a new ENI when the node has none
 * with room, a failed move reported and retried, and TTL expiry.
 */
@MockKubeApi
class ReservationControllerTest {
  static KubernetesClient client;
  FakeVpcApi cloud;
  PoolController pools;
  ReservationController reservations;
  final List<String> counted = new ArrayList<>();
  Instant now = Instant.parse("2026-12-02T12:00:00Z");

  final Clock clock =
      new Clock() {
        @Override
        public java.time.ZoneId getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
          return this;
        }

        @Override
        public Instant instant() {
          return now;
        }
      };

  @BeforeEach
  void up() throws Exception {
    for (String r :
        List.of(NodeEni.CRD_RESOURCE, SubnetPool.CRD_RESOURCE, IpReservation.CRD_RESOURCE)) {
      try (InputStream in = NodeEni.class.getResourceAsStream(r)) {
        client
            .resource(
                client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class))
            .createOr(c -> c.update());
      }
    }
    client.nodes().delete();
    client.resources(NodeEni.class).delete();
    client.resources(IpReservation.class).inAnyNamespace().delete();
    client.v1().events().inAnyNamespace().delete();
    cloud = new FakeVpcApi();
    cloud.addSubnet("node-subnet", "10.0.0.0/16", "z1");
    cloud.addInstance("i-1", InstanceType.M5_LARGE, "node-subnet", List.of("sg-node"));
    cloud.addInstance("i-2", InstanceType.M5_LARGE, "node-subnet", List.of("sg-node"));
    var ops =
        new VpcApiNodeOperations(
            cloud,
            "c1",
            n -> Optional.ofNullable(Map.of("n1", "i-1", "n2", "i-2").get(n)),
            Clock.systemUTC(),
            new SubnetChooser(cloud, Clock.systemUTC(), Duration.ofMinutes(1)));
    pools =
        new PoolController(
            client,
            ops,
            new WarmPoolConfig(2, 0, 0, 0, 0, Duration.ZERO, 10),
            Clock.systemUTC(),
            Duration.ofHours(1),
            Duration.ofHours(1));
    reservations =
        new ReservationController(
            client,
            pools,
            clock,
            Duration.ofHours(1),
            new ReservationController.Listener() {
              @Override
              public void fixedIpMove(String result) {
                counted.add("move:" + result);
              }

              @Override
              public void fixedIpExpired() {
                counted.add("expired");
              }
            });
    node("n1");
    node("n2");
    pools.sync("n1");
  }

  @AfterEach
  void down() {
    reservations.close();
    pools.close();
  }

  void node(String name) {
    client
        .nodes()
        .resource(new NodeBuilder().withNewMetadata().withName(name).endMetadata().build())
        .create();
  }

  NodeEni nodeEni(String name) {
    return client.resources(NodeEni.class).withName(name).get();
  }

  /** The agent of {@code node} reports {@code ip} as reserved (or in use). */
  void agentStatus(String node, String ip, boolean inUse) {
    NodeEni n = nodeEni(node);
    NodeEniStatus s = new NodeEniStatus();
    if (inUse) {
      s.inUse = List.of(ip);
    } else {
      s.reserved = List.of(ip);
    }
    n.setStatus(s);
    client.resources(NodeEni.class).resource(n).updateStatus();
  }

  /** A reservation for shop/web-0 on n1, as n1's agent left it, asked for by n2's agent. */
  IpReservation reservation(String phase, String ip, Instant releasedAt, Instant wantedAt) {
    IpReservation r = new IpReservation();
    r.getMetadata().setNamespace("shop");
    r.getMetadata().setName("web-0");
    r.getSpec().ip = ip;
    r.getSpec().subnetId = "node-subnet";
    r.getSpec().ttl = "10m";
    r.getStatus().phase = phase;
    r.getStatus().node = "n1";
    r.getStatus().podUid = "uid-old";
    r.getStatus().releasedAt = releasedAt == null ? null : releasedAt.toString();
    if (wantedAt != null) {
      r.getStatus().wantedNode = "n2";
      r.getStatus().wantedByUid = "uid-new";
      r.getStatus().wantedAt = wantedAt.toString();
    }
    return client.resource(r).create();
  }

  IpReservation current() {
    return client.resources(IpReservation.class).inNamespace("shop").withName("web-0").get();
  }

  String anIpOfN1() {
    return nodeEni("n1").getSpec().enis.get(0).ips.get(0);
  }

  Optional<Eni> holder(String ip) {
    return cloud.allEnis().stream()
        .filter(e -> e.secondaryIps().contains(IpAddress.parse(ip)))
        .findFirst();
  }

  @Test
  void aReleasedIpMovesToTheWantedNodeAndBothNodeEnisFollow() {
    String ip = anIpOfN1();
    String fromEni = holder(ip).orElseThrow().id();
    agentStatus("n1", ip, false);
    reservation(IpReservation.RELEASED, ip, now, now);

    reservations.pass();

    Eni to = holder(ip).orElseThrow();
    assertThat(to.id()).isNotEqualTo(fromEni);
    assertThat(to.attachment().orElseThrow().instanceId()).isEqualTo("i-2");
    IpReservation r = current();
    assertThat(r.getStatus().node).isEqualTo("n2");
    assertThat(r.getStatus().eniId).isEqualTo(to.id());
    assertThat(r.getStatus().phase).isEqualTo(IpReservation.RELEASED);
    assertThat(r.getStatus().message).contains("moved from node n1", "of node n2");
    assertThat(counted).containsExactly("move:ok");
    // the pool loop writes both specs from its records (the worker would run these syncs)
    pools.sync("n1");
    pools.sync("n2");
    assertThat(nodeEni("n1").getSpec().enis).noneMatch(e -> e.ips.contains(ip));
    assertThat(nodeEni("n2").getSpec().enis)
        .filteredOn(e -> e.id.equals(to.id()))
        .singleElement()
        .satisfies(e -> assertThat(e.ips).contains(ip));

    reservations.pass(); // nothing more to do
    assertThat(counted).containsExactly("move:ok");
  }

  @Test
  void anIpStaysWhileAPodMayStillUseIt() {
    String ip = anIpOfN1();
    String fromEni = holder(ip).orElseThrow().id();
    // Released, but n1's agent still lists it in use: wait for its DEL
    agentStatus("n1", ip, true);
    reservation(IpReservation.RELEASED, ip, now, now);
    reservations.pass();
    assertThat(holder(ip).orElseThrow().id()).isEqualTo(fromEni);
    assertThat(current().getStatus().node).isEqualTo("n1");

    // Bound to the old pod on a live node: not before the takeover delay
    client.resources(IpReservation.class).inNamespace("shop").withName("web-0").delete();
    agentStatus("n1", ip, false);
    reservation(IpReservation.BOUND, ip, null, now);
    reservations.pass();
    assertThat(holder(ip).orElseThrow().id()).isEqualTo(fromEni);
    now = now.plus(ReservationController.TAKEOVER).plusSeconds(1);
    reservations.pass();
    assertThat(holder(ip).orElseThrow().attachment().orElseThrow().instanceId()).isEqualTo("i-2");
    assertThat(current().getStatus().phase).isEqualTo(IpReservation.RELEASED);
    assertThat(current().getStatus().releasedAt).isEqualTo(now.toString());
    assertThat(counted).containsExactly("move:ok");
  }

  @Test
  void aNodeWithoutAnEniGetsOneForTheMovedIp() {
    String ip = anIpOfN1();
    agentStatus("n1", ip, false);
    assertThat(nodeEni("n2")).as("the pool loop never ran for n2: no secondary ENI").isNull();
    reservation(IpReservation.RELEASED, ip, now, now);
    reservations.pass();
    Eni made = holder(ip).orElseThrow();
    assertThat(made.attachment().orElseThrow().instanceId()).isEqualTo("i-2");
    assertThat(made.subnetId()).isEqualTo("node-subnet");
    pools.sync("n2");
    assertThat(nodeEni("n2").getSpec().enis).anySatisfy(e -> assertThat(e.ips).contains(ip));
  }

  @Test
  void aFailedMoveIsReportedOnThePodAndRetried() {
    String ip = anIpOfN1();
    agentStatus("n1", ip, false);
    reservation(IpReservation.RELEASED, ip, now, now);
    pools.sync("n2"); // n2 has an ENI with room
    cloud.faults().failNext(1, CloudException.Reason.CONFLICT, CloudOperation.ASSIGN_IPS);
    reservations.pass();
    IpReservation r = current();
    assertThat(r.getStatus().phase).isEqualTo(IpReservation.RELEASED);
    assertThat(r.getStatus().node).as("it left n1's ENI: on no node now").isEmpty();
    assertThat(r.getStatus().message).contains("failed to move fixed IP " + ip + " to node n2");
    assertThat(holder(ip)).isEmpty();
    assertThat(counted).containsExactly("move:failed");
    List<Event> events =
        client.v1().events().inNamespace("shop").list().getItems().stream()
            .filter(e -> e.getReason().equals(ReservationController.MOVE_FAILED))
            .toList();
    assertThat(events)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getInvolvedObject().getName()).isEqualTo("web-0");
              assertThat(e.getInvolvedObject().getUid()).isEqualTo("uid-new");
              assertThat(e.getMessage()).contains(ip, "n2");
            });

    reservations.pass(); // the next pass: the address is on no ENI, so it is only assigned
    assertThat(holder(ip).orElseThrow().attachment().orElseThrow().instanceId()).isEqualTo("i-2");
    assertThat(current().getStatus().node).isEqualTo("n2");
    assertThat(counted).containsExactly("move:failed", "move:ok");
  }

  @Test
  void aReservationExpiresItsTtlAfterItsPodLetItGo() {
    String ip = anIpOfN1();
    agentStatus("n1", ip, false);
    reservation(IpReservation.RELEASED, ip, now, null);
    now = now.plus(Duration.ofMinutes(10)).minusSeconds(1);
    reservations.pass();
    assertThat(current()).isNotNull();
    now = now.plusSeconds(1);
    reservations.pass();
    assertThat(current()).isNull();
    assertThat(counted).containsExactly("expired");
    // the address stays where it was: n1's agent offers it to any pod now
    assertThat(holder(ip).orElseThrow().attachment().orElseThrow().instanceId()).isEqualTo("i-1");

    // a Bound reservation never expires
    reservation(IpReservation.BOUND, ip, null, null);
    now = now.plus(Duration.ofDays(40));
    reservations.pass();
    assertThat(current()).isNotNull();
  }

  @Test
  void anAddressSaidToBeOnTheAskingNodeButOnNoEniThereIsPutBack() {
    String ip = "10.0.200.7"; // in the subnet, on no ENI (it left n1's ENI behind our back)
    IpReservation r = new IpReservation();
    r.getMetadata().setNamespace("shop");
    r.getMetadata().setName("web-0");
    r.getSpec().ip = ip;
    r.getSpec().subnetId = "node-subnet";
    r.getSpec().ttl = "10m";
    r.getStatus().phase = IpReservation.RELEASED;
    r.getStatus().node = "n1";
    r.getStatus().releasedAt = now.toString();
    r.getStatus().wantedNode = "n1";
    r.getStatus().wantedByUid = "uid-new";
    r.getStatus().wantedAt = now.toString();
    client.resource(r).create();
    reservations.pass();
    assertThat(holder(ip)).as("a move's spec may still be on its way: wait").isEmpty();
    now = now.plus(ReservationController.REPAIR_AFTER);
    reservations.pass();
    assertThat(holder(ip).orElseThrow().attachment().orElseThrow().instanceId()).isEqualTo("i-1");
    assertThat(current().getStatus().node).isEqualTo("n1");
    pools.sync("n1");
    assertThat(nodeEni("n1").getSpec().enis).anySatisfy(e -> assertThat(e.ips).contains(ip));
    reservations.pass(); // listed now: nothing more
    assertThat(counted).containsExactly("move:ok");
  }
}
