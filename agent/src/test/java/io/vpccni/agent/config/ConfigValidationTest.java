package io.vpccni.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vpccni.agentapi.FieldException;
import io.vpccni.agentapi.Json;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigValidationTest {
  @Test
  void defaults() {
    AgentConfig c =
        AgentConfig.parse(Json.parseObject("{\"node\":\"n1\",\"enisFile\":\"/e.json\"}"));
    assertThat(c.mode()).isEqualTo(Mode.SHARED);
    assertThat(c.ipCooldown().toSeconds()).isGreaterThanOrEqualTo(120);
    assertThat(c.socket().toString()).isEqualTo("/run/vpc-cni/agent.sock");
    assertThat(c.devicePlugin()).isTrue();
    assertThat(c.devicePluginDir().toString()).isEqualTo("/var/lib/kubelet/device-plugins");
    assertThat(c.fixedIpTtl().toSeconds()).isEqualTo(3600);
  }

  @Test
  void nodeFromTheEnvironment() {
    AgentConfig c =
        AgentConfig.parse(
            Json.parseObject("{\"node\":\"${env:NODE_NAME}\",\"enisFile\":\"/e.json\"}"),
            Map.of("NODE_NAME", "worker-7")::get);
    assertThat(c.node()).isEqualTo("worker-7");
  }

  @Test
  void nodeFromAnUnsetVariableIsRefused() {
    assertThatThrownBy(
            () ->
                AgentConfig.parse(
                    Json.parseObject("{\"node\":\"${env:NODE_NAME}\",\"enisFile\":\"/e\"}"),
                    Map.<String, String>of()::get))
        .isInstanceOf(FieldException.class)
        .hasMessageContaining("NODE_NAME is not set")
        .satisfies(e -> assertThat(((FieldException) e).field()).isEqualTo("node"));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"enisFile\":\"/e\"}|node",
        "{\"node\":\"n\",\"enisFile\":\"/e\",\"mode\":\"bridge\"}|mode",
        "{\"node\":\"n\",\"enisFile\":\"/e\",\"ipCooldownSeconds\":-1}|ipCooldownSeconds",
        "{\"node\":\"n\",\"enisFile\":\"/e\",\"fixedIpTtlSeconds\":0}|fixedIpTtlSeconds",
        "{\"node\":\"n\",\"enisFile\":\"/e\",\"fixedIpTtlSeconds\":2592001}|fixedIpTtlSeconds",
        "{\"node\":\"n\",\"enisFile\":\"/e\",\"mtu\":100}|mtu",
        "{\"node\":\"n\",\"enisFile\":\"/e\",\"mtu\":\"1500\"}|mtu",
        "{\"node\":\"n\",\"enisFile\":\"/e\",\"routeTableBase\":200}|routeTableBase",
        "{\"node\":\"n\",\"enisFile\":\"/e\",\"sockett\":\"/x\"}|sockett",
        "{\"node\":\"n\"}|enisFile",
        "{\"node\":\"n\",\"enisFile\":\"/e\",\"devicePlugin\":\"yes\"}|devicePlugin",
        "{\"node\":\"n\",\"enisFile\":\"/e\",\"devicePluginDir\":\"dp\"}|devicePluginDir",
        "{\"node\":\"n\",\"enisFile\":\"/e\",\"networkPolicy\":true}|networkPolicy",
        "{\"node\":\"n\",\"eniSource\":\"kubernetes\",\"networkPolicy\":\"yes\"}|networkPolicy",
        "{\"node\":\"n\",\"eniSource\":\"kubernetes\",\"mode\":\"exclusive\",\"networkPolicy\":true}|networkPolicy",
        "{\"node\":\"n\",\"eniSource\":\"kubernetes\",\"mode\":\"ipvlan\",\"networkPolicy\":true}|networkPolicy",
        "{\"node\":\"n\",\"enisFile\":\"/e\",\"snat\":true}|snat",
        "{\"node\":\"n\",\"enisFile\":\"/e\",\"snat\":{\"enabled\":true}}|snat.vpcCidrs",
        "{\"node\":\"n\",\"enisFile\":\"/e\",\"snat\":{\"enable\":true}}|snat.enable",
        "{\"node\":\"n\",\"enisFile\":\"/e\",\"snat\":{\"enabled\":\"on\"}}|snat.enabled",
        "{\"node\":\"n\",\"enisFile\":\"/e\",\"snat\":{\"vpcCidrs\":\"10.0.0.0/8\"}}|snat.vpcCidrs",
        "{\"node\":\"n\",\"enisFile\":\"/e\",\"snat\":{\"vpcCidrs\":[\"10.0.0.0/33\"]}}|snat.vpcCidrs[0]",
        "{\"node\":\"n\",\"enisFile\":\"/e\",\"snat\":{\"vpcCidrs\":[\"10.0.0.0/8\"],\"nonSnatCidrs\":[\"192.168.0.0/16\",\"nope\"]}}|snat.nonSnatCidrs[1]",
        "{\"node\":\"n\",\"enisFile\":\"/e\",\"snat\":{\"nonSnatCidrs\":[\"192.168.1.1/16\"]}}|snat.nonSnatCidrs[0]",
        "{\"node\":\"n\",\"enisFile\":\"/e\",\"snat\":{\"nonSnatCidrs\":[\"fd00::/8\"]}}|snat.nonSnatCidrs[0]",
        "{\"node\":\"n\",\"enisFile\":\"/e\",\"snat\":{\"nonSnatCidrs\":[7]}}|snat.nonSnatCidrs[0]",
        "{\"node\":\"n\",\"enisFile\":\"/e\",\"snat\":{\"mark\":3}}|snat.mark",
        "{\"node\":\"n\",\"enisFile\":\"/e\",\"snat\":{\"kubeProxyMasqueradeBit\":32}}|snat.kubeProxyMasqueradeBit",
        "{\"node\":\"n\",\"enisFile\":\"/e\",\"snat\":{\"kubeProxyMasqueradeBit\":7}}|snat.kubeProxyMasqueradeBit",
        "{\"node\":\"n\",\"enisFile\":\"/e\",\"snat\":{\"mark\":8589934592}}|snat.mark",
        "{\"node\":\"n\",\"enisFile\":\"/e\",\"mode\":\"exclusive\",\"snat\":{\"enabled\":true,\"vpcCidrs\":[\"10.0.0.0/8\"]}}|snat.enabled",
      })
  void badAgentConfigNamesTheField(String json, String field) {
    assertThatThrownBy(() -> AgentConfig.parse(Json.parseObject(json)))
        .isInstanceOf(FieldException.class)
        .satisfies(e -> assertThat(((FieldException) e).field()).isEqualTo(field));
  }

  @Test
  void snatIsOffByDefaultAndParsedWhenOn() {
    AgentConfig off =
        AgentConfig.parse(Json.parseObject("{\"node\":\"n1\",\"enisFile\":\"/e.json\"}"));
    assertThat(off.snat().enabled()).isFalse();
    AgentConfig on =
        AgentConfig.parse(
            Json.parseObject(
                "{\"node\":\"n1\",\"enisFile\":\"/e.json\",\"snat\":{\"enabled\":true,"
                    + "\"vpcCidrs\":[\"10.0.0.0/16\",\"10.1.0.0/16\"],"
                    + "\"nonSnatCidrs\":[\"192.168.0.0/16\"],\"mark\":256}}"));
    assertThat(on.snat().enabled()).isTrue();
    assertThat(on.snat().neverSnat())
        .extracting(Object::toString)
        .containsExactly("10.0.0.0/16", "10.1.0.0/16", "192.168.0.0/16");
    assertThat(on.snat().mark()).isEqualTo(256);
    assertThat(on.snat().kubeProxyMasqueradeMark()).isEqualTo(0x4000);
  }

  @Test
  void aBadSnatCidrIsNamedWithItsText() {
    assertThatThrownBy(
            () ->
                AgentConfig.parse(
                    Json.parseObject(
                        "{\"node\":\"n\",\"enisFile\":\"/e\",\"snat\":{\"enabled\":true,"
                            + "\"vpcCidrs\":[\"10.0.0.0/8\"],\"nonSnatCidrs\":[\"10.300.0.0/16\"]}}")))
        .isInstanceOf(FieldException.class)
        .hasMessageContaining("snat.nonSnatCidrs[0]")
        .hasMessageContaining("10.300.0.0/16");
  }

  static final String ENI =
      "{\"id\":\"eni-1\",\"mac\":\"02:00:00:00:00:01\",\"deviceIndex\":1,\"subnet\":\"10.0.1.0/24\",\"gateway\":\"10.0.1.1\",\"primaryIp\":\"10.0.1.10\",\"ips\":[\"10.0.1.11\",\"10.0.1.12\"]}";

  @Test
  void goodEniFile() {
    var enis = StaticEniSource.parse(Json.parseObject("{\"enis\":[" + ENI + "]}"));
    assertThat(enis).hasSize(1);
    assertThat(enis.get(0).ips()).hasSize(2);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "\"mac\":\"02:00:00:00:00:01\"|\"mac\":\"nope\"|enis[0].mac",
        "\"deviceIndex\":1|\"deviceIndex\":0|enis[0].deviceIndex",
        "\"gateway\":\"10.0.1.1\"|\"gateway\":\"10.0.2.1\"|enis[0].gateway",
        "\"10.0.1.12\"|\"10.0.9.12\"|enis[0].ips[1]",
        "\"10.0.1.12\"|\"10.0.1.11\"|enis[0].ips[1]",
        "\"10.0.1.12\"|\"10.0.1.1\"|enis[0].ips[1]",
        "\"subnet\":\"10.0.1.0/24\"|\"subnet\":\"10.0.1.0/40\"|enis[0].subnet",
        "\"primaryIp\":\"10.0.1.10\"|\"primaryIp\":\"10.0.1.11\"|enis[0].ips[0]",
      })
  void badEniFileNamesTheField(String from, String to, String field) {
    String json = "{\"enis\":[" + ENI.replace(from, to) + "]}";
    assertThatThrownBy(() -> StaticEniSource.parse(Json.parseObject(json)))
        .isInstanceOf(FieldException.class)
        .satisfies(e -> assertThat(((FieldException) e).field()).isEqualTo(field));
  }
}
