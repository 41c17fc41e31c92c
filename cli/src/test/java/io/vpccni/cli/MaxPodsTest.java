package io.vpccni.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.agentapi.Json;
import io.vpccni.agentapi.JsonObject;
import io.vpccni.cloud.testkit.InstanceType;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MaxPodsTest {
  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = CliMain.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(code, out.toString().strip(), err.toString());
  }

  @ParameterizedTest
  @CsvSource({
    // type, mode, expected: shared (E-1)(I-1)+2, exclusive (E-1)+2
    "t3.micro, shared, 3",
    "m5.large, shared, 20",
    "m5.large, ipvlan, 20",
    "m5.large, exclusive, 4",
    "c5.xlarge, shared, 44",
    "m5.4xlarge, shared, 205",
    "m5.24xlarge, shared, 688",
    "m5.24xlarge, exclusive, 16"
  })
  void knownTypesGiveTheFormula(String type, String mode, String expected) {
    Run r = run("max-pods", "--instance-type", type, "--mode", mode);
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo(expected);
  }

  @Test
  void hostNetworkPodsAndExplicitLimitsAreOptions() {
    assertThat(run("max-pods", "--instance-type", "m5.large", "--host-network-pods", "5").out())
        .isEqualTo("23");
    assertThat(run("max-pods", "--max-enis", "6", "--ips-per-eni", "20").out())
        .isEqualTo(String.valueOf(5 * 19 + 2));
    // explicit limits win over the table
    assertThat(run("max-pods", "--instance-type", "m5.large", "--max-enis", "2").out())
        .isEqualTo(String.valueOf(9 + 2));
  }

  @Test
  void anUnknownTypeWithoutLimitsIsAClearError() {
    Run r = run("max-pods", "--instance-type", "x9.huge");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err())
        .contains("unknown instance type \"x9.huge\"")
        .contains("--max-enis E --ips-per-eni I")
        .contains("m5.large");
    Run ok = run("max-pods", "--instance-type", "x9.huge", "--max-enis", "4", "--ips-per-eni", "8");
    assertThat(ok.out()).isEqualTo(String.valueOf(3 * 7 + 2));
  }

  @Test
  void badValuesAreRefused() {
    assertThat(run("max-pods", "--instance-type", "m5.large", "--mode", "bridge").err())
        .contains("--mode");
    assertThat(run("max-pods", "--max-enis", "0", "--ips-per-eni", "10").err())
        .contains("at least 1");
    assertThat(run("max-pods", "--instance-type", "m5.large", "--host-network-pods", "-1").code())
        .isEqualTo(2);
    assertThat(run("max-pods").err()).contains("--instance-type");
  }

  @Test
  void jsonOutputShowsTheParts() {
    JsonObject o =
        Json.parseObject(
            run("max-pods", "--instance-type", "m5.large", "--mode", "exclusive", "-o", "json")
                .out());
    assertThat(o.string("instanceType")).isEqualTo("m5.large");
    assertThat(o.integer("maxEnis")).isEqualTo(3);
    assertThat(o.integer("ipsPerEni")).isEqualTo(10);
    assertThat(o.integer("podIps")).isEqualTo(2);
    assertThat(o.integer("hostNetworkPods")).isEqualTo(2);
    assertThat(o.integer("maxPods")).isEqualTo(4);
    assertThat(o.string("limitsFrom")).isEqualTo("table");
  }

  @Test
  void theTableAgreesWithTheEmulatorsCatalogue() {
    for (var t : io.vpccni.emulator.model.InstanceType.CATALOGUE) {
      assertThat(InstanceLimits.byName(t.name()))
          .as(t.name())
          .contains(new InstanceLimits(t.name(), t.maxEnis(), t.ipsPerEni()));
    }
  }

  @Test
  void theTableAgreesWithTheFakeCloudsTypes() {
    // cloud-testkit counts secondary IPs per ENI, the table counts the ENI's primary too
    for (InstanceType t :
        List.of(
            InstanceType.T3_MICRO,
            InstanceType.M5_LARGE,
            InstanceType.C5_XLARGE,
            InstanceType.M5_4XLARGE)) {
      assertThat(InstanceLimits.byName(t.name()))
          .as(t.name())
          .contains(new InstanceLimits(t.name(), t.eniQuota(), t.ipsPerEni() + 1));
    }
  }
}
