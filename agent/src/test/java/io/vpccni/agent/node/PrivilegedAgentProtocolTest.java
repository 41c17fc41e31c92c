package io.vpccni.agent.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.agentapi.AgentClient;
import io.vpccni.agentapi.AgentRequest;
import io.vpccni.agentapi.AgentResponse;
import io.vpccni.agentapi.Json;
import io.vpccni.testkit.vpc.StandInVpc;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The agent's side of the protocol, spoken directly (no CNI binary): what the agent answers for
 * each verb, and the codes it uses, independent of the binary's own validation.
 */
@Tag("netns")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PrivilegedAgentProtocolTest {
  static NodeHarness h;
  static AgentClient client;

  @BeforeAll
  static void up() throws Exception {
    NodeHarness.assumePrivileged();
    h = new NodeHarness(1, 3); // the GC test takes one IP into cooldown first
    h.startAgent(Map.of());
    client = new AgentClient(h.socket, Duration.ofSeconds(30));
  }

  @AfterAll
  static void down() {
    if (h != null) {
      h.close();
    }
  }

  static AgentResponse call(String verb, String cid, String ns, String config) throws Exception {
    return client.call(
        new AgentRequest(
            verb,
            cid,
            ns == null ? "" : "/run/netns/" + ns,
            "eth0",
            Map.of("K8S_POD_NAMESPACE", "default", "K8S_POD_NAME", cid),
            Json.parseObject(config)));
  }

  @Test
  @Order(2)
  void addGivesAPingableVpcAddressAndStatusTracksThePool() throws Exception {
    String conf = "{\"cniVersion\":\"1.1.0\",\"name\":\"vpc\",\"type\":\"vpc-cni\"}";
    assertThat(call("STATUS", "", null, conf).isOk()).isTrue();
    String a = h.podNs("pa");
    String b = h.podNs("pb");
    AgentResponse ra = call("ADD", "pa", a, conf);
    assertThat(ra.isOk()).as("%s", ra).isTrue();
    String ipA = ra.result().objects("ips").get(0).string("address").replace("/32", "");
    assertThat(ra.result().string("cniVersion")).isEqualTo("1.1.0");
    AgentResponse rb = call("ADD", "pb", b, conf);
    assertThat(rb.isOk()).as("%s", rb).isTrue();
    assertThat(StandInVpc.ping(b, ipA)).isTrue();
    assertThat(StandInVpc.ping(a, StandInVpc.HOST_IP)).isTrue();

    AgentResponse status = call("STATUS", "", null, conf);
    assertThat(status.isOk()).isFalse();
    assertThat(status.error().code()).isEqualTo(50);
    assertThat(status.error().msg()).contains("no free IP");

    AgentResponse third = call("ADD", "pc", h.podNs("pc"), conf);
    assertThat(third.error().code()).isEqualTo(11);
    assertThat(third.error().msg()).contains("pod default/pc").contains("in use");

    assertThat(call("DEL", "pa", a, conf).isOk()).isTrue();
    assertThat(call("DEL", "pb", b, conf).isOk()).isTrue();
    AgentResponse cooling = call("STATUS", "", null, conf);
    assertThat(cooling.error().msg()).contains("3 cooling down");
  }

  @Test
  @Order(1) // before the pool is exhausted by the next test
  void gcWithoutTheValidListIsRefusedAndReleasesNothing() throws Exception {
    String conf = "{\"cniVersion\":\"1.1.0\",\"name\":\"vpc\",\"type\":\"vpc-cni\"}";
    String ns = h.podNs("gcguard");
    assertThat(call("ADD", "gcguard", ns, conf).isOk()).isTrue();
    AgentResponse r = call("GC", "", null, conf);
    assertThat(r.error().code()).isEqualTo(7);
    assertThat(r.error().msg()).contains("cni.dev/valid-attachments");
    assertThat(h.introspect().objects("attachments").stream().map(a -> a.string("containerId")))
        .contains("gcguard");
    assertThat(call("DEL", "gcguard", ns, conf).isOk()).isTrue();
  }

  @Test
  void unknownVerbAndProtocolVersionAreRefusedByName() throws Exception {
    AgentResponse r = client.call(new AgentRequest(2, "ADD", "x", "", "eth0", Map.of(), null));
    assertThat(r.error().code()).isEqualTo(102);
    assertThat(r.error().msg()).contains("protocol version 2");
    assertThat(call("FROB", "x", null, "{}").error().msg()).contains("FROB");
  }

  @Test
  void addWithAMissingNamespaceChangesNothing() throws Exception {
    String before = h.nodeState();
    AgentResponse r =
        call(
            "ADD",
            "ghost",
            h.prefix + "-nope",
            "{\"cniVersion\":\"1.1.0\",\"name\":\"vpc\",\"type\":\"vpc-cni\"}");
    assertThat(r.error().code()).isEqualTo(4);
    assertThat(r.error().msg()).contains("CNI_NETNS");
    assertThat(h.nodeState()).isEqualTo(before);
  }
}
