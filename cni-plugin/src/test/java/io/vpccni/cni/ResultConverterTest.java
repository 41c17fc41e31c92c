package io.vpccni.cni;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vpccni.agentapi.FieldException;
import io.vpccni.agentapi.Json;
import io.vpccni.agentapi.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class ResultConverterTest {
  /** What the agent answers: the 1.1.0 shape with every field the spec defines. */
  static final String AGENT_RESULT =
      "{\"cniVersion\":\"1.1.0\","
          + "\"interfaces\":[{\"name\":\"eth0\",\"mac\":\"02:00:0a:00:01:05\",\"mtu\":9001,"
          + "\"sandbox\":\"/var/run/netns/p1\",\"socketPath\":\"/run/vhost.sock\",\"pciID\":\"0000:00:05.0\"},"
          + "{\"name\":\"vethabc\",\"mac\":\"02:00:00:00:00:01\"}],"
          + "\"ips\":[{\"address\":\"10.0.1.5/32\",\"gateway\":\"169.254.1.1\",\"interface\":0},"
          + "{\"address\":\"fd00::5/128\",\"interface\":0}],"
          + "\"routes\":[{\"dst\":\"0.0.0.0/0\",\"gw\":\"169.254.1.1\",\"mtu\":9001,\"advmss\":8961,"
          + "\"priority\":100,\"table\":101,\"scope\":0},{\"dst\":\"::/0\"}],"
          + "\"dns\":{\"nameservers\":[\"10.96.0.10\"],\"domain\":\"cluster.local\","
          + "\"search\":[\"default.svc.cluster.local\"],\"options\":[\"ndots:5\"]},"
          + "\"someFutureField\":true}";

  private static Map<String, Object> convert(CniVersion v) {
    return ResultConverter.convert(Json.parseObject(AGENT_RESULT), v);
  }

  @Test
  void to110KeepsEverySpecField() {
    assertThat(Json.write(convert(CniVersion.V1_1_0)))
        .isEqualTo(
            "{\"cniVersion\":\"1.1.0\","
                + "\"interfaces\":[{\"name\":\"eth0\",\"mac\":\"02:00:0a:00:01:05\",\"mtu\":9001,"
                + "\"sandbox\":\"/var/run/netns/p1\",\"socketPath\":\"/run/vhost.sock\",\"pciID\":\"0000:00:05.0\"},"
                + "{\"name\":\"vethabc\",\"mac\":\"02:00:00:00:00:01\"}],"
                + "\"ips\":[{\"interface\":0,\"address\":\"10.0.1.5/32\",\"gateway\":\"169.254.1.1\"},"
                + "{\"interface\":0,\"address\":\"fd00::5/128\"}],"
                + "\"routes\":[{\"dst\":\"0.0.0.0/0\",\"gw\":\"169.254.1.1\",\"mtu\":9001,\"advmss\":8961,"
                + "\"priority\":100,\"table\":101,\"scope\":0},{\"dst\":\"::/0\"}],"
                + "\"dns\":{\"nameservers\":[\"10.96.0.10\"],\"domain\":\"cluster.local\","
                + "\"search\":[\"default.svc.cluster.local\"],\"options\":[\"ndots:5\"]}}");
  }

  @Test
  void to100DropsWhat110Added() {
    assertThat(Json.write(convert(CniVersion.V1_0_0)))
        .isEqualTo(
            "{\"cniVersion\":\"1.0.0\","
                + "\"interfaces\":[{\"name\":\"eth0\",\"mac\":\"02:00:0a:00:01:05\",\"sandbox\":\"/var/run/netns/p1\"},"
                + "{\"name\":\"vethabc\",\"mac\":\"02:00:00:00:00:01\"}],"
                + "\"ips\":[{\"interface\":0,\"address\":\"10.0.1.5/32\",\"gateway\":\"169.254.1.1\"},"
                + "{\"interface\":0,\"address\":\"fd00::5/128\"}],"
                + "\"routes\":[{\"dst\":\"0.0.0.0/0\",\"gw\":\"169.254.1.1\"},{\"dst\":\"::/0\"}],"
                + "\"dns\":{\"nameservers\":[\"10.96.0.10\"],\"domain\":\"cluster.local\","
                + "\"search\":[\"default.svc.cluster.local\"],\"options\":[\"ndots:5\"]}}");
  }

  @Test
  void to040AddsTheIpVersion() {
    Map<String, Object> r = convert(CniVersion.V0_4_0);
    assertThat(r.get("cniVersion")).isEqualTo("0.4.0");
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> ips = (List<Map<String, Object>>) r.get("ips");
    assertThat(ips).extracting(ip -> ip.get("version")).containsExactly("4", "6");
    assertThat(Json.write(r)).doesNotContain("\"mtu\"", "socketPath", "pciID", "advmss", "table");
  }

  @ParameterizedTest
  @EnumSource(CniVersion.class)
  void convertedResultIsAValidResultOfItsVersion(CniVersion v) {
    JsonObject out = Json.parseObject(Json.write(convert(v)));
    ResultConverter.validate(out, v);
    assertThat(ResultConverter.transform(out, v, v)).isEqualTo(convert(v));
  }

  @ParameterizedTest
  @EnumSource(CniVersion.class)
  void cniVersionIsAlwaysTheRequestedOne(CniVersion v) {
    assertThat(convert(v).get("cniVersion")).isEqualTo(v.text());
  }

  @ParameterizedTest
  @EnumSource(CniVersion.class)
  void anEmptyResultStaysEmpty(CniVersion v) {
    assertThat(ResultConverter.convert(Json.parseObject("{}"), v))
        .isEqualTo(Map.of("cniVersion", v.text()));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"interfaces\":[{\"mac\":\"02:00:00:00:00:01\"}]}                                |"
            + " result.interfaces[0].name",
        "{\"interfaces\":[{\"name\":\"eth0\",\"mac\":\"zz\"}]}                             |"
            + " result.interfaces[0].mac",
        "{\"interfaces\":[{\"name\":\"eth0\",\"mtu\":-1}]}                                 |"
            + " result.interfaces[0].mtu",
        "{\"ips\":[{\"address\":\"10.0.0.1\"}]}                                            |"
            + " result.ips[0].address",
        "{\"ips\":[{\"address\":\"10.0.0.1/33\"}]}                                         |"
            + " result.ips[0].address",
        "{\"ips\":[{\"address\":\"10.0.0.1/24\",\"gateway\":\"fd00::1\"}]}                 |"
            + " result.ips[0].gateway",
        "{\"ips\":[{\"address\":\"10.0.0.1/24\",\"interface\":0}]}                         |"
            + " result.ips[0].interface",
        "{\"ips\":[{\"address\":7}]}                                                       |"
            + " result.ips[0].address",
        "{\"routes\":[{\"dst\":\"default\"}]}                                              |"
            + " result.routes[0].dst",
        "{\"routes\":[{\"dst\":\"0.0.0.0/0\",\"scope\":256}]}                              |"
            + " result.routes[0].scope",
        "{\"routes\":[{\"dst\":\"0.0.0.0/0\",\"gw\":\"x\"}]}                               |"
            + " result.routes[0].gw",
        "{\"dns\":{\"nameservers\":[\"ns1\"]}}                                             |"
            + " result.dns.nameservers[0]",
        "{\"interfaces\":{}}                                                               |"
            + " result.interfaces",
      })
  void badFieldsAreNamedByPath(String result, String path) {
    JsonObject wrapped = Json.parseObject("{\"result\":" + result + "}").object("result");
    assertThatThrownBy(() -> ResultConverter.convert(wrapped, CniVersion.V1_0_0))
        .isInstanceOfSatisfying(FieldException.class, e -> assertThat(e.field()).isEqualTo(path));
  }

  @Test
  void version040InputNeedsMatchingIpVersions() {
    JsonObject ok = Json.parseObject("{\"ips\":[{\"version\":\"6\",\"address\":\"fd00::1/64\"}]}");
    ResultConverter.validate(ok, CniVersion.V0_4_0);
    JsonObject missing = Json.parseObject("{\"ips\":[{\"address\":\"fd00::1/64\"}]}");
    assertThatThrownBy(() -> ResultConverter.validate(missing, CniVersion.V0_4_0))
        .hasMessageContaining("ips[0].version");
    ResultConverter.validate(missing, CniVersion.V1_0_0);
  }
}
