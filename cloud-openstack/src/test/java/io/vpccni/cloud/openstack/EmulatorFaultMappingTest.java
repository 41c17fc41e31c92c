package io.vpccni.cloud.openstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.vpccni.cloud.CloudException;
import io.vpccni.cloud.CloudException.Reason;
import io.vpccni.cloud.VpcApi;
import io.vpccni.cloud.VpcApis;
import io.vpccni.emulator.VpcEmulator;
import io.vpccni.emulator.faults.FaultRule;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Injected HTTP faults reach callers as retryable reasons, with the server's Retry-After. */
class EmulatorFaultMappingTest {
  private VpcEmulator emulator;
  private VpcApi api;
  private String subnetId;

  @BeforeEach
  void start() {
    emulator = VpcEmulator.start();
    var vpc = emulator.vpc();
    var net = vpc.createNetwork("vpc", List.of());
    subnetId = vpc.createSubnet(net.id, "nodes", "10.0.0.0/24", "10.0.0.1", List.of()).id;
    String base = emulator.baseUrl().toString();
    api =
        VpcApis.create(
            "openstack",
            Map.of(
                "endpoint.network", base + "/v2.0",
                "endpoint.compute", base + "/v2.1",
                "network", "vpc"));
  }

  @AfterEach
  void stop() {
    api.close();
    emulator.close();
  }

  @Test
  void throttledSubnetReadIsThrottledWithRetryAfter() {
    emulator
        .faults()
        .set(
            "subnets.show",
            new FaultRule(0, 1.0, 0, 7, 0, 500, 0)); // every call 429, Retry-After: 7
    CloudException e =
        catchThrowableOfType(CloudException.class, () -> api.describeSubnet(subnetId));
    assertThat(e.reason()).isEqualTo(Reason.THROTTLED);
    assertThat(e.retryAfter()).contains(Duration.ofSeconds(7));
    assertThat(e.getMessage()).startsWith("failed to describe subnet " + subnetId + ": HTTP 429");
  }

  @Test
  void unavailableServerIsTransient() {
    emulator.faults().set("ports.list", FaultRule.NONE.withFailNext(1, 503));
    CloudException e =
        catchThrowableOfType(
            CloudException.class, () -> api.listEnis(io.vpccni.cloud.EniFilter.byInstance("i-1")));
    assertThat(e.reason()).isEqualTo(Reason.TRANSIENT);
    assertThat(e.isRetryable()).isTrue();
  }
}
