package io.vpccni.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.emulator.Client.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Port tag endpoints, tag list filters, revision_number and If-Match, as on neutron-server. */
class TagsAndRevisionsTest {
  private VpcEmulator emulator;
  private Client c;
  private String net;
  private String port;

  @BeforeEach
  void start() {
    emulator = VpcEmulator.start(VpcEmulator.Options.defaults().withUpdateWindowMillis(0));
    c = new Client(emulator.baseUrl());
    net = c.network("n");
    c.subnet(net, "10.10.0.0/16", null, null);
    port = c.port("{\"port\":{\"network_id\":\"" + net + "\"}}").get("id").asString();
  }

  @AfterEach
  void stop() {
    emulator.close();
  }

  @Test
  void tagEndpointsAnswerLikeNeutron() {
    assertThat(c.put("/v2.0/ports/" + port + "/tags/cni.k8s.io-cluster%3Ddemo", null).status())
        .isEqualTo(201);
    assertThat(c.put("/v2.0/ports/" + port + "/tags/leak-check", null).status()).isEqualTo(201);
    Reply r = c.get("/v2.0/ports/" + port + "/tags");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body().get("tags").toString())
        .isEqualTo("[\"cni.k8s.io-cluster=demo\",\"leak-check\"]");
    assertThat(c.get("/v2.0/ports/" + port + "/tags/leak-check").status()).isEqualTo(204);

    assertThat(c.delete("/v2.0/ports/" + port + "/tags/leak-check").status()).isEqualTo(204);
    Reply missing = c.delete("/v2.0/ports/" + port + "/tags/leak-check");
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.errorType()).isEqualTo("TagNotFound");

    r = c.put("/v2.0/ports/" + port + "/tags", "{\"tags\":[\"a\",\"b\",\"node=vm-node-1\"]}");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body().get("tags").size()).isEqualTo(3);
    assertThat(c.delete("/v2.0/ports/" + port + "/tags").status()).isEqualTo(204);
    assertThat(c.get("/v2.0/ports/" + port + "/tags").body().get("tags").size()).isZero();
    assertThat(c.put("/v2.0/ports/nope/tags/x", null).status()).isEqualTo(404);
  }

  @Test
  void tagFiltersSelectPorts() {
    String other =
        c.port("{\"port\":{\"network_id\":\"" + net + "\",\"tags\":[\"node=vm-node-2\"]}}")
            .get("id")
            .asString();
    c.put(
        "/v2.0/ports/" + port + "/tags",
        "{\"tags\":[\"cni.k8s.io-cluster=demo\",\"node=vm-node-1\",\"leak-check\"]}");
    assertThat(
            NeutronPortsTest.ids(
                c.get("/v2.0/ports?tags=cni.k8s.io-cluster%3Ddemo&fields=id&fields=tags")))
        .containsExactly(port);
    assertThat(NeutronPortsTest.ids(c.get("/v2.0/ports?tags=cni.k8s.io-cluster%3Ddemo,nope")))
        .isEmpty();
    assertThat(NeutronPortsTest.ids(c.get("/v2.0/ports?tags-any=node%3Dvm-node-1,nope&fields=id")))
        .containsExactly(port);
    assertThat(
            NeutronPortsTest.ids(c.get("/v2.0/ports?tags-any=node%3Dvm-node-1,node%3Dvm-node-2")))
        .hasSize(2);
    assertThat(NeutronPortsTest.ids(c.get("/v2.0/ports?not-tags=leak-check")))
        .containsExactly(other);
    assertThat(NeutronPortsTest.ids(c.get("/v2.0/ports?not-tags=leak-check,nope"))).hasSize(2);
    assertThat(NeutronPortsTest.ids(c.get("/v2.0/ports?not-tags-any=leak-check,nope")))
        .containsExactly(other);
  }

  @Test
  void revisionNumberGrowsOnEveryChange() {
    long r0 = rev();
    c.put("/v2.0/ports/" + port, "{\"port\":{\"name\":\"x\"}}");
    long r1 = rev();
    c.put("/v2.0/ports/" + port + "/tags/t", null);
    long r2 = rev();
    assertThat(r1).isEqualTo(r0 + 1);
    assertThat(r2).isEqualTo(r1 + 1);
  }

  @Test
  void ifMatchOnAStaleRevisionIs412() {
    long r = rev();
    Reply ok = c.put("/v2.0/ports/" + port, "{\"port\":{\"name\":\"a\"}}", "revision_number=" + r);
    assertThat(ok.status()).isEqualTo(200);
    assertThat(ok.body().get("port").get("revision_number").asLong()).isEqualTo(r + 1);
    Reply stale =
        c.put("/v2.0/ports/" + port, "{\"port\":{\"name\":\"b\"}}", "revision_number=" + r);
    assertThat(stale.status()).isEqualTo(412);
    assertThat(stale.errorType()).isEqualTo("RevisionNumberConstraintFailed");
    assertThat(stale.body().get("NeutronError").get("message").asString())
        .isEqualTo("Constrained to " + r + ", but current revision is " + (r + 1));
  }

  @Test
  void deleteHonoursIfMatchToo() {
    long r = rev();
    Reply stale = c.send("DELETE", "/v2.0/ports/" + port, null, "revision_number=" + (r + 5));
    assertThat(stale.status()).isEqualTo(412);
    assertThat(c.send("DELETE", "/v2.0/ports/" + port, null, "revision_number=" + r).status())
        .isEqualTo(204);
  }

  private long rev() {
    JsonNode p = c.get("/v2.0/ports/" + port).body().get("port");
    return p.get("revision_number").asLong();
  }
}
