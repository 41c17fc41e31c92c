package io.vpccni.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.emulator.Client.Reply;
import io.vpccni.emulator.faults.FaultRule;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Faults set through the admin API and programmatically: latency, 429s, 5xx, eventual consistency.
 */
class FaultsTest {
  private VpcEmulator emulator;
  private Client c;
  private String net;

  @BeforeEach
  void start() {
    emulator = VpcEmulator.start(VpcEmulator.Options.defaults().withUpdateWindowMillis(0));
    c = new Client(emulator.baseUrl());
    net = c.network("n");
    c.subnet(net, "10.10.0.0/16", null, null);
  }

  @AfterEach
  void stop() {
    emulator.close();
  }

  @Test
  void latencyIsAddedToTheChosenOperationOnly() {
    Client.check(c.put("/emulator/faults/ports.list", "{\"latency_ms\":300}"), 200);
    long t0 = System.nanoTime();
    Client.check(c.get("/v2.0/ports"), 200);
    long listMs = (System.nanoTime() - t0) / 1_000_000;
    t0 = System.nanoTime();
    Client.check(c.get("/v2.0/networks"), 200);
    long netMs = (System.nanoTime() - t0) / 1_000_000;
    assertThat(listMs).isGreaterThanOrEqualTo(300);
    assertThat(netMs).isLessThan(300);
  }

  @Test
  void throttledCallsAre429WithRetryAfter() {
    Client.check(
        c.put("/emulator/faults/ports.create", "{\"throttle_fraction\":1.0,\"retry_after_s\":2}"),
        200);
    Reply r = c.post("/v2.0/ports", "{\"port\":{\"network_id\":\"" + net + "\"}}");
    assertThat(r.status()).isEqualTo(429);
    assertThat(r.header("Retry-After")).isEqualTo("2");
    assertThat(r.errorType()).isEqualTo("HTTPTooManyRequests");
    assertThat(c.get("/v2.0/ports").body().get("ports").size()).isZero();

    emulator.faults().set("servers.show", FaultRule.NONE.withThrottle(1.0));
    String vm =
        c.instance(
            "n1",
            "m5.large",
            c.get("/v2.0/subnets").body().get("subnets").get(0).get("id").asString());
    Reply nova = c.get("/v2.1/servers/" + vm);
    assertThat(nova.status()).isEqualTo(429);
    assertThat(nova.body().get("overLimit").get("code").asInt()).isEqualTo(429);
  }

  @Test
  void rateLimitLetsTheBurstThroughThenAnswers429() {
    emulator.faults().set("*", FaultRule.NONE.withRateLimit(5));
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      statuses.add(c.get("/v2.0/networks").status());
    }
    assertThat(statuses).contains(200, 429);
    assertThat(statuses.stream().filter(s -> s == 200).count()).isLessThan(12);
    // the admin API is never limited
    Client.check(c.get("/emulator/faults"), 200);
  }

  @Test
  void failNextAnswersTheNextCallsWithTheChosenStatusThenRecovers() {
    Client.check(
        c.put("/emulator/faults/ports.list", "{\"fail_next\":2,\"error_status\":503}"), 200);
    Reply first = c.get("/v2.0/ports");
    assertThat(first.status()).isEqualTo(503);
    assertThat(first.errorType()).isEqualTo("HTTPServiceUnavailable");
    assertThat(c.get("/v2.0/ports").status()).isEqualTo(503);
    assertThat(c.get("/v2.0/ports").status()).isEqualTo(200);
  }

  @Test
  void errorFractionAnswers500() {
    emulator.faults().set("ports.show", FaultRule.NONE.withErrors(1.0, 500));
    Reply r = c.get("/v2.0/ports/x");
    assertThat(r.status()).isEqualTo(500);
    assertThat(r.errorType()).isEqualTo("HTTPInternalServerError");
    assertThat(c.get("/emulator/events").body().get("events").toString()).contains("fault.error");
  }

  @Test
  void badFaultRulesAre400() {
    assertThat(c.put("/emulator/faults/ports.list", "{\"error_status\":418}").status())
        .isEqualTo(400);
    assertThat(c.put("/emulator/faults/no.such.op", "{}").status()).isEqualTo(400);
  }

  @Test
  void newPortIsInvisibleUntilTheDelayPasses() throws InterruptedException {
    Client.check(c.put("/emulator/faults", "{\"port_visibility_delay_ms\":500}"), 200);
    String id = c.port("{\"port\":{\"network_id\":\"" + net + "\"}}").get("id").asString();
    assertThat(c.get("/v2.0/ports/" + id).status()).isEqualTo(404);
    assertThat(c.get("/v2.0/ports").body().get("ports").size()).isZero();
    // writes see it at once
    assertThat(c.put("/v2.0/ports/" + id + "/tags/t", null).status()).isEqualTo(201);
    Thread.sleep(600);
    assertThat(c.get("/v2.0/ports/" + id).status()).isEqualTo(200);
    assertThat(c.get("/v2.0/ports").body().get("ports").size()).isEqualTo(1);
  }

  @Test
  void clearingFaultsRestoresService() {
    Client.check(c.put("/emulator/faults", "{\"rules\":{\"*\":{\"error_fraction\":1.0}}}"), 200);
    assertThat(c.get("/v2.0/networks").status()).isEqualTo(500);
    assertThat(c.get("/emulator/faults").body().get("rules").has("*")).isTrue();
    assertThat(c.delete("/emulator/faults").status()).isEqualTo(204);
    assertThat(c.get("/v2.0/networks").status()).isEqualTo(200);
  }
}
