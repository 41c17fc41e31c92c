package io.vpccni.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.emulator.Client.Reply;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The emulator loses concurrent updates of one port exactly as neutron-server does
 * (neutron-server.md, "Same port, concurrent read-modify-write"): fixed_ips is replaced as a whole
 * list and If-Match is checked on a read that precedes the write, so it is no compare-and-swap. A
 * client that does not serialize writes per port loses addresses here as it would in production.
 */
class ConcurrentPortUpdateTest {
  private VpcEmulator emulator;
  private Client c;
  private String net;
  private String subnet;

  @BeforeEach
  void start() {
    emulator = VpcEmulator.start(VpcEmulator.Options.defaults().withUpdateWindowMillis(300));
    c = new Client(emulator.baseUrl());
    net = c.network("n");
    subnet = c.subnet(net, "10.10.0.0/16", null, null);
  }

  @AfterEach
  void stop() {
    emulator.close();
  }

  @Test
  void twoConcurrentPutsWithTheSameIfMatchBothSucceedAndOneUpdateIsLost() throws Exception {
    JsonNode port = c.portOn(net, subnet);
    String id = port.get("id").asString();
    String primary = port.get("fixed_ips").get(0).get("ip_address").asString();
    long rev = port.get("revision_number").asLong();

    CountDownLatch go = new CountDownLatch(1);
    List<CompletableFuture<Reply>> puts = new ArrayList<>();
    for (String added : List.of("10.10.7.1", "10.10.7.2")) {
      puts.add(
          CompletableFuture.supplyAsync(
              () -> {
                await(go);
                return c.put(
                    "/v2.0/ports/" + id,
                    "{\"port\":{\"fixed_ips\":[{\"ip_address\":\""
                        + primary
                        + "\"},{\"ip_address\":\""
                        + added
                        + "\"}]}}",
                    "revision_number=" + rev);
              }));
    }
    go.countDown();
    Reply a = puts.get(0).get();
    Reply b = puts.get(1).get();

    assertThat(a.status()).isEqualTo(200);
    assertThat(b.status()).isEqualTo(200);
    assertThat(a.body().get("port").get("revision_number").asLong())
        .isEqualTo(b.body().get("port").get("revision_number").asLong())
        .isEqualTo(rev + 1);
    List<String> finalIps = NeutronPortsTest.ips(c.get("/v2.0/ports/" + id).body().get("port"));
    assertThat(finalIps).hasSize(2).contains(primary);
    assertThat(finalIps).containsAnyOf("10.10.7.1", "10.10.7.2");
    assertThat(finalIps.contains("10.10.7.1") && finalIps.contains("10.10.7.2")).isFalse();
    // the loser's address went back to the pool: nothing leaked in IPAM
    String lost = finalIps.contains("10.10.7.1") ? "10.10.7.2" : "10.10.7.1";
    JsonNode other =
        c.port(
            "{\"port\":{\"network_id\":\""
                + net
                + "\",\"fixed_ips\":[{\"ip_address\":\""
                + lost
                + "\"}]}}");
    assertThat(NeutronPortsTest.ips(other)).containsExactly(lost);
  }

  @Test
  void serializedWritesKeepEveryUpdate() {
    JsonNode port = c.portOn(net, subnet);
    String id = port.get("id").asString();
    emulator.faults().setUpdateWindowMillis(0);
    for (int i = 1; i <= 5; i++) {
      JsonNode cur = c.get("/v2.0/ports/" + id).body().get("port");
      StringBuilder ips = new StringBuilder("[");
      for (JsonNode f : cur.get("fixed_ips")) {
        ips.append("{\"ip_address\":\"").append(f.get("ip_address").asString()).append("\"},");
      }
      ips.append("{\"subnet_id\":\"").append(subnet).append("\"}]");
      Client.check(
          c.put(
              "/v2.0/ports/" + id,
              "{\"port\":{\"fixed_ips\":" + ips + "}}",
              "revision_number=" + cur.get("revision_number").asLong()),
          200);
    }
    assertThat(NeutronPortsTest.ips(c.get("/v2.0/ports/" + id).body().get("port"))).hasSize(6);
  }

  private static void await(CountDownLatch l) {
    try {
      l.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
