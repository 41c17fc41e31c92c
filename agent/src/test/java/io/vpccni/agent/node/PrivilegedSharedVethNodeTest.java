package io.vpccni.agent.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.agentapi.JsonObject;
import io.vpccni.testkit.vpc.Cmd;
import io.vpccni.testkit.vpc.StandInVpc;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Shared-ENI veth mode on one node of a stand-in VPC, every pod driven through the real CNI binary
 * and the real agent process: 30 pods reach each other, their node and a VPC host; DEL leaves no
 * trace; CHECK catches a deleted route; GC frees only stale attachments.
 */
@Tag("netns")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PrivilegedSharedVethNodeTest {
  static NodeHarness h;

  @BeforeAll
  static void up() throws Exception {
    NodeHarness.assumePrivileged();
    NodeHarness.binary();
    h = new NodeHarness(2, 40); // enough for every test here with the default 180 s cooldown
    h.startAgent(Map.of());
  }

  @AfterAll
  static void down() {
    if (h != null) {
      h.close();
    }
  }

  @Test
  @Order(1)
  void thirtyPodsReachEachOtherTheirNodeAndAVpcHost() throws Exception {
    Map<String, String> ipByNs = new LinkedHashMap<>();
    for (int i = 0; i < 30; i++) {
      String ns = h.podNs("p" + i);
      ipByNs.put(ns, h.add("mesh-" + i, ns).ip());
    }
    assertThat(new HashSet<>(ipByNs.values())).as("pod IPs are unique").hasSize(30);
    Set<String> eniIps = new HashSet<>();
    h.node.enis().forEach(e -> eniIps.addAll(e.ips()));
    assertThat(eniIps).containsAll(ipByNs.values());

    List<String> failures = new ArrayList<>();
    for (var src : ipByNs.entrySet()) {
      for (var dst : ipByNs.entrySet()) {
        if (!src.equals(dst) && !StandInVpc.ping(src.getKey(), dst.getValue())) {
          failures.add(src.getValue() + " -> " + dst.getValue());
        }
      }
      if (!StandInVpc.ping(src.getKey(), h.node.ip())) {
        failures.add(src.getValue() + " -> node " + h.node.ip());
      }
      if (!StandInVpc.ping(src.getKey(), StandInVpc.HOST_IP)) {
        failures.add(src.getValue() + " -> VPC host " + StandInVpc.HOST_IP);
      }
    }
    assertThat(failures).as("failed pings (of %d)\n%s", 30 * 31, h.nodeText()).isEmpty();
    // and the VPC host reaches a pod directly, with no NAT in between
    assertThat(StandInVpc.ping(h.vpc.hostNetns(), ipByNs.values().iterator().next())).isTrue();

    JsonObject pool = h.introspect().object("pool");
    assertThat(pool.integer("used")).isEqualTo(30);
    String metrics = scrape(h.introspect().integer("metricsPort"));
    assertThat(metrics)
        .contains("vpccni_pool_ips{state=\"used\"} 30.0")
        .contains("vpccni_cni_requests_total{result=\"ok\",verb=\"ADD\"}");
    for (int i = 0; i < 30; i++) {
      h.del("mesh-" + i, h.prefix + "-p" + i);
    }
    assertThat(h.introspect().object("pool").integer("used")).isZero();
  }

  static String scrape(long port) throws Exception {
    try (var client = java.net.http.HttpClient.newHttpClient()) {
      var req =
          java.net.http.HttpRequest.newBuilder(
                  java.net.URI.create("http://127.0.0.1:" + port + "/metrics"))
              .build();
      return client.send(req, java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    }
  }

  @Test
  @Order(2)
  void delRemovesEveryTraceFromTheNode() throws Exception {
    String before = h.nodeState();
    String ns = h.podNs("trace");
    h.add("trace", ns);
    assertThat(h.nodeState()).isNotEqualTo(before);
    h.del("trace", ns);
    assertThat(h.nodeState()).isEqualTo(before);
    assertThat(Cmd.ok("ip", "-n", ns, "-br", "link")).doesNotContain("eth0");
  }

  @Test
  @Order(3)
  void delIsIdempotentAndSucceedsForUnknownContainersAndMissingNetns() throws Exception {
    String ns = h.podNs("idem");
    h.add("idem", ns);
    h.del("idem", ns);
    h.del("idem", ns);
    h.del("never-added", ns);
    assertThat(h.cni("DEL", "never-added-2", null, h.netconf("1.0.0")).exit()).isZero();
    assertThat(h.cni("DEL", "gone-ns", h.prefix + "-nosuchns", h.netconf("1.0.0")).exit()).isZero();
  }

  @Test
  @Order(4)
  void checkPassesThenFailsAfterSomeoneDeletesThePodRoute() throws Exception {
    String ns = h.podNs("check");
    var added = h.add("check", ns);
    String conf =
        "{\"cniVersion\":\"1.0.0\",\"name\":\"vpc\",\"type\":\"vpc-cni\",\"agentSocket\":\""
            + h.socket
            + "\",\"prevResult\":"
            + added.stdout().strip()
            + "}";
    assertThat(h.cni("CHECK", "check", ns, conf).exit()).isZero();
    Cmd.ok("ip", "-n", ns, "route", "del", "default");
    var r = h.cni("CHECK", "check", ns, conf);
    assertThat(r.exit()).isNotZero();
    assertThat(r.json().optString("msg").orElse("")).contains("default route");
    h.del("check", ns);
  }

  @Test
  @Order(5)
  void gcReleasesOnlyAttachmentsMissingFromTheValidList() throws Exception {
    List<String> ips = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ips.add(h.add("gc-" + i, h.podNs("gc" + i)).ip());
    }
    String gc =
        "{\"cniVersion\":\"1.1.0\",\"name\":\"vpc\",\"type\":\"vpc-cni\",\"agentSocket\":\""
            + h.socket
            + "\",\"cni.dev/valid-attachments\":[{\"containerID\":\"gc-0\",\"ifname\":\"eth0\"},{\"containerID\":\"gc-1\",\"ifname\":\"eth0\"}]}";
    var r = h.cni("GC", "", null, gc);
    assertThat(r.exit()).as(r.stdout()).isZero();
    List<String> live =
        h.introspect().objects("attachments").stream().map(a -> a.string("containerId")).toList();
    assertThat(live).contains("gc-0", "gc-1").doesNotContain("gc-2");
    assertThat(Cmd.ok("ip", "-n", h.prefix + "-gc2", "-br", "link")).doesNotContain("eth0");
    assertThat(StandInVpc.ping(h.prefix + "-gc0", ips.get(1))).isTrue();
    h.del("gc-0", h.prefix + "-gc0");
    h.del("gc-1", h.prefix + "-gc1");
  }

  @Test
  @Order(6)
  void repeatedAddAnswersWithTheSameAddress() throws Exception {
    String ns = h.podNs("again");
    String ip = h.add("again", ns).ip();
    assertThat(h.add("again", ns).ip()).isEqualTo(ip);
    assertThat(
            h.introspect().objects("attachments").stream()
                .filter(a -> a.string("containerId").equals("again")))
        .hasSize(1);
    h.del("again", ns);
  }

  @ParameterizedTest(name = "cniVersion {0}")
  @ValueSource(strings = {"0.4.0", "1.0.0", "1.1.0"})
  @Order(8)
  void everySpecVersionGetsItsOwnResultShape(String version) throws Exception {
    String ns = h.podNs("v" + version.replace(".", ""));
    String cid = "ver-" + version;
    var r = h.cni("ADD", cid, ns, h.netconf(version));
    assertThat(r.exit()).as(r.stdout()).isZero();
    JsonObject res = r.json();
    assertThat(res.string("cniVersion")).isEqualTo(version);
    JsonObject ip = res.objects("ips").get(0);
    if (version.equals("0.4.0")) {
      assertThat(ip.string("version")).isEqualTo("4");
    } else {
      assertThat(ip.has("version")).isFalse();
    }
    assertThat(res.objects("interfaces").get((int) ip.integer("interface")).string("sandbox"))
        .isEqualTo("/run/netns/" + ns);
    assertThat(StandInVpc.ping(ns, StandInVpc.HOST_IP)).isTrue();
    String conf = h.netconf(version).replace("}", ",\"prevResult\":" + r.stdout().strip() + "}");
    assertThat(h.cni("CHECK", cid, ns, conf).exit()).isZero();
    assertThat(h.cni("DEL", cid, ns, conf).exit()).isZero();
  }

  @Test
  @Order(7)
  void addOfAnInterfaceThatExistsFailsAndLeavesNothing() throws Exception {
    String ns = h.podNs("clash");
    Cmd.ok("ip", "-n", ns, "link", "add", "eth0", "type", "veth", "peer", "name", "other0");
    String before = h.nodeState();
    var r = h.cni("ADD", "clash", ns, h.netconf("1.0.0"));
    assertThat(r.exit()).isNotZero();
    assertThat(r.json().string("msg")).contains("eth0").contains("already exists");
    assertThat(h.nodeState()).isEqualTo(before);
    assertThat(h.introspect().objects("attachments").stream().map(a -> a.string("containerId")))
        .doesNotContain("clash");
  }
}
