package io.vpccni.agent.introspect;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.agent.policy.PolicyState;
import io.vpccni.agentapi.Json;
import io.vpccni.agentapi.JsonObject;
import io.vpccni.netaddr.IpAddress;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The {@code policy} object of INTROSPECT, as {@code vpc-cni-cli policy} reads it. */
class IntrospectionPolicyTest {

  static JsonObject json(PolicyState s) {
    // through the wire format, as the CLI sees it
    return Json.parseObject(JsonObject.create().put("p", Introspection.policyJson(s)).toString())
        .object("p");
  }

  @Test
  void offIsEnabledFalseAndNothingElse() {
    assertThat(json(null).map()).containsOnlyKeys("enabled").containsEntry("enabled", false);
  }

  @Test
  void podsAreByAddressWithEachDirectionsPolicies() {
    PolicyState s =
        new PolicyState(
            true,
            2,
            5,
            Optional.of(Instant.parse("2026-12-02T22:00:00Z")),
            42,
            Optional.of("failed to run nft -f - (exit 1): boom"),
            Optional.of(Instant.parse("2026-12-02T22:01:00Z")),
            List.of(
                new PolicyState.Pod(
                    "prod/web-1", IpAddress.parse("10.0.1.20"), false, List.of(), false, List.of()),
                new PolicyState.Pod(
                    "prod/web-0",
                    IpAddress.parse("10.0.1.3"),
                    true,
                    List.of("prod/a", "prod/b"),
                    false,
                    List.of())));
    JsonObject j = json(s);
    assertThat(j.bool("enabled", false)).isTrue();
    assertThat(j.bool("synced", false)).isTrue();
    assertThat(j.integer("policies")).isEqualTo(2);
    assertThat(j.integer("applies")).isEqualTo(5);
    assertThat(j.string("lastApply")).isEqualTo("2026-12-02T22:00:00Z");
    assertThat(j.integer("lastApplyMillis")).isEqualTo(42);
    assertThat(j.string("lastError")).contains("boom");
    assertThat(j.string("lastErrorAt")).isEqualTo("2026-12-02T22:01:00Z");
    List<JsonObject> pods = j.objects("pods");
    assertThat(pods).extracting(p -> p.string("pod")).containsExactly("prod/web-0", "prod/web-1");
    assertThat(pods.get(0).string("ip")).isEqualTo("10.0.1.3");
    assertThat(pods.get(0).object("ingress").bool("isolated", false)).isTrue();
    assertThat(pods.get(0).object("ingress").strings("policies"))
        .containsExactly("prod/a", "prod/b");
    assertThat(pods.get(0).object("egress").bool("isolated", true)).isFalse();
  }

  @Test
  void beforeTheFirstApplyThereIsNoLastApply() {
    PolicyState s =
        new PolicyState(
            false, 0, 0, Optional.empty(), 0, Optional.empty(), Optional.empty(), List.of());
    assertThat(json(s).map()).doesNotContainKeys("lastApply", "lastApplyMillis", "lastError");
  }
}
