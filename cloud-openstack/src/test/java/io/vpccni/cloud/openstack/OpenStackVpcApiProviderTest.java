package io.vpccni.cloud.openstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.vpccni.cloud.CloudException;
import io.vpccni.cloud.CloudException.Reason;
import io.vpccni.cloud.VpcApis;
import io.vpccni.emulator.VpcEmulator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Settings of the {@code openstack} provider: found by name, every bad setting named. */
class OpenStackVpcApiProviderTest {
  private VpcEmulator emulator;
  private Map<String, String> settings;

  @BeforeEach
  void start() {
    emulator = VpcEmulator.start();
    emulator.vpc().createNetwork("vpc", List.of());
    String base = emulator.baseUrl().toString();
    settings = new HashMap<>();
    settings.put("endpoint.network", base + "/v2.0");
    settings.put("endpoint.compute", base + "/v2.1");
    settings.put("network", "vpc");
    settings.put("flavor.m5.large", "3x9");
  }

  @AfterEach
  void stop() {
    emulator.close();
  }

  @Test
  void isFoundByNameAndTakesTheNetworkByNameOrId() {
    assertThat(VpcApis.names()).contains("openstack");
    try (var api = VpcApis.create("openstack", settings)) {
      assertThat(api).isInstanceOf(OpenStackVpcApi.class);
    }
    settings.put("network", emulator.vpc().networks().getFirst().id);
    try (var api = VpcApis.create("openstack", settings)) {
      assertThat(api).isInstanceOf(OpenStackVpcApi.class);
    }
  }

  @Test
  void missingOrBadSettingsAreInvalidAndNamed() {
    expectInvalid(without("network"), "network");
    expectInvalid(with("network", "no-such-net"), "network");
    expectInvalid(without("endpoint.network", "endpoint.compute"), "auth.url");
    expectInvalid(without("endpoint.compute"), "endpoint.compute");
    expectInvalid(with("endpoint.network", "not a url"), "endpoint.network");
    expectInvalid(with("flavor.m5.large", "3by9"), "flavor.m5.large");
    expectInvalid(with("flavor.m5.large", "0x9"), "flavor.m5.large");
    expectInvalid(with("flavour.m5.large", "3x9"), "flavour.m5.large");
    expectInvalid(with("auth.url", "http://127.0.0.1:5000/v3"), "auth.url");
    Map<String, String> keystone = new HashMap<>();
    keystone.put("auth.url", "http://127.0.0.1:5000/v3");
    keystone.put("network", "vpc");
    expectInvalid(keystone, "auth.username");
  }

  @Test
  void aFlavorWithoutLimitsIsInvalidNamingTheSettingToAdd() {
    var vpc = emulator.vpc();
    var subnet =
        vpc.createSubnet(
            vpc.networks().getFirst().id, "nodes", "10.0.0.0/24", "10.0.0.1", List.of());
    var node = vpc.createInstance("node-1", "c5.xlarge", subnet.id, null);
    try (var api = VpcApis.create("openstack", settings)) {
      CloudException e =
          catchThrowableOfType(CloudException.class, () -> api.describeInstance(node.id));
      assertThat(e.reason()).isEqualTo(Reason.INVALID_REQUEST);
      assertThat(e.getMessage()).contains(node.id).contains("flavor.c5.xlarge=");
    }
  }

  private Map<String, String> with(String key, String value) {
    var m = new HashMap<>(settings);
    m.put(key, value);
    return m;
  }

  private Map<String, String> without(String... keys) {
    var m = new HashMap<>(settings);
    for (String k : keys) {
      m.remove(k);
    }
    return m;
  }

  private static void expectInvalid(Map<String, String> settings, String named) {
    CloudException e =
        catchThrowableOfType(CloudException.class, () -> VpcApis.create("openstack", settings));
    assertThat(e).as("settings " + settings).isNotNull();
    assertThat(e.reason()).as(e.getMessage()).isEqualTo(Reason.INVALID_REQUEST);
    assertThat(e.getMessage()).startsWith("failed to ").contains("setting " + named);
  }
}
