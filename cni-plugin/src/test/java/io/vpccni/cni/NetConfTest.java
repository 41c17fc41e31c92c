package io.vpccni.cni;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vpccni.agentapi.Json;
import io.vpccni.agentapi.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class NetConfTest {
  private static JsonObject conf(String extra) {
    return Json.parseObject(
        "{\"cniVersion\":\"1.0.0\",\"name\":\"vpc\",\"type\":\"vpc-cni\"" + extra + "}");
  }

  @Test
  void defaultsWhenOurKeysAreAbsent() throws Exception {
    NetConf c = NetConf.parse(Verb.ADD, conf(""));
    assertThat(c.version()).isEqualTo(CniVersion.V1_0_0);
    assertThat(c.agentSocket()).isEqualTo(Path.of("/run/vpc-cni/agent.sock"));
    assertThat(c.agentTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(c.logFile()).isNull();
  }

  @Test
  void readsOurKeys() throws Exception {
    NetConf c =
        NetConf.parse(
            Verb.ADD,
            conf(
                ",\"agentSocket\":\"/tmp/a.sock\",\"agentTimeoutSeconds\":5,\"logFile\":\"/var/log/vpc-cni.log\",\"mtu\":9001"));
    assertThat(c.agentSocket()).isEqualTo(Path.of("/tmp/a.sock"));
    assertThat(c.agentTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.logFile()).isEqualTo(Path.of("/var/log/vpc-cni.log"));
  }

  @Test
  void ignoresUnknownKeysAndPassesThemOn() throws Exception {
    NetConf c =
        NetConf.parse(Verb.ADD, conf(",\"mode\":\"ipvlan\",\"someVendorKey\":{\"x\":[1,2]}"));
    assertThat(c.json().map()).containsKeys("mode", "someVendorKey");
  }

  @Test
  void mtuBoundsAreInclusive() throws Exception {
    NetConf.parse(Verb.ADD, conf(",\"mtu\":68"));
    NetConf.parse(Verb.ADD, conf(",\"mtu\":65535"));
    assertThatThrownBy(() -> NetConf.parse(Verb.ADD, conf(",\"mtu\":67")))
        .isInstanceOfSatisfying(
            CniException.class,
            e -> {
              assertThat(e.code()).isEqualTo(7);
              assertThat(e.msg()).contains("\"mtu\"").contains("68").contains("67");
            });
  }

  @Test
  void delChecksOnlyWhatItNeeds() throws Exception {
    NetConf c =
        NetConf.parse(
            Verb.DEL,
            conf(",\"mtu\":10,\"runtimeConfig\":[],\"prevResult\":{\"cniVersion\":\"0.4.0\"}"));
    assertThat(c.json().raw("prevResult")).isEqualTo(Map.of("cniVersion", "0.4.0"));
    assertThatThrownBy(() -> NetConf.parse(Verb.DEL, conf(",\"agentSocket\":\"relative\"")))
        .hasMessageContaining("agentSocket");
  }

  @Test
  void addRefusesPrevResultBecauseVpcCniComesFirst() {
    assertThatThrownBy(() -> NetConf.parse(Verb.ADD, conf(",\"prevResult\":{}")))
        .isInstanceOfSatisfying(
            CniException.class,
            e -> {
              assertThat(e.code()).isEqualTo(7);
              assertThat(e.msg()).contains("prevResult").contains("first plugin");
            });
  }

  @ParameterizedTest
  @EnumSource(
      value = Verb.class,
      names = {"STATUS", "GC"})
  void statusAndGcNeedVersion110(Verb verb) {
    assertThatThrownBy(() -> NetConf.parse(verb, conf(",\"cni.dev/valid-attachments\":[]")))
        .isInstanceOfSatisfying(CniException.class, e -> assertThat(e.code()).isEqualTo(1));
  }

  @Test
  void gcAcceptsTheLegacyAttachmentsKeyAndForwardsItUnderTheNewOne() throws Exception {
    JsonObject c =
        Json.parseObject(
            "{\"cniVersion\":\"1.1.0\",\"name\":\"vpc\",\"type\":\"vpc-cni\","
                + "\"cni.dev/attachments\":[{\"containerID\":\"c1\",\"ifname\":\"eth0\"}]}");
    NetConf n = NetConf.parse(Verb.GC, c);
    assertThat(n.json().raw(NetConf.VALID_ATTACHMENTS))
        .isEqualTo(List.of(Map.of("containerID", "c1", "ifname", "eth0")));
  }

  @Test
  void gcWithAnEmptyListIsValid() throws Exception {
    JsonObject c =
        Json.parseObject(
            "{\"cniVersion\":\"1.1.0\",\"name\":\"vpc\",\"type\":\"vpc-cni\",\"cni.dev/valid-attachments\":[]}");
    assertThat(NetConf.parse(Verb.GC, c).json().raw(NetConf.VALID_ATTACHMENTS))
        .isEqualTo(List.of());
  }

  @Test
  void checkValidatesPrevResultAgainstTheConfigVersion() throws Exception {
    String prev =
        "{\"cniVersion\":\"0.4.0\",\"interfaces\":[{\"name\":\"eth0\"}],"
            + "\"ips\":[{\"version\":\"4\",\"address\":\"10.0.0.5/24\",\"interface\":0}]}";
    JsonObject ok =
        Json.parseObject(
            "{\"cniVersion\":\"0.4.0\",\"name\":\"vpc\",\"type\":\"vpc-cni\",\"prevResult\":"
                + prev
                + "}");
    NetConf.parse(Verb.CHECK, ok);
    JsonObject wrongFamily =
        Json.parseObject(
            "{\"cniVersion\":\"0.4.0\",\"name\":\"vpc\",\"type\":\"vpc-cni\",\"prevResult\":"
                + prev.replace("\"version\":\"4\"", "\"version\":\"6\"")
                + "}");
    assertThatThrownBy(() -> NetConf.parse(Verb.CHECK, wrongFamily))
        .hasMessageContaining("prevResult.ips[0].version");
  }

  @Test
  void logFileIsReadLeniently() {
    assertThat(NetConf.logFileOrNull(conf(",\"logFile\":\"/tmp/x.log\",\"mtu\":1")))
        .isEqualTo(Path.of("/tmp/x.log"));
    assertThat(NetConf.logFileOrNull(conf(",\"logFile\":\"x.log\""))).isNull();
    assertThat(NetConf.logFileOrNull(conf(",\"logFile\":5"))).isNull();
  }
}
