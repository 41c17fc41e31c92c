package io.vpccni.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OwnershipTagsTest {
  private final OwnershipTags tags =
      new OwnershipTags("prod-1", "node-a.example", Instant.parse("2026-03-04T05:06:07.891Z"));

  @Test
  void keyValuePairsRoundTrip() {
    assertThat(tags.toMap())
        .containsExactly(
            entry("vpc-cni:cluster", "prod-1"),
            entry("vpc-cni:node", "node-a.example"),
            entry("vpc-cni:created-at", "2026-03-04T05:06:07Z"));
    assertThat(OwnershipTags.fromMap(tags.toMap())).contains(tags);
    assertThat(tags.createdAt()).isEqualTo(Instant.parse("2026-03-04T05:06:07Z"));
  }

  @Test
  void neutronStyleStringsRoundTrip() {
    assertThat(tags.toStrings())
        .containsExactly(
            "vpc-cni:cluster=prod-1",
            "vpc-cni:node=node-a.example",
            "vpc-cni:created-at=2026-03-04T05:06:07Z");
    var withForeign = new java.util.ArrayList<>(tags.toStrings());
    withForeign.add("owned-by-someone-else");
    assertThat(OwnershipTags.fromStrings(withForeign)).contains(tags);
    assertThat(OwnershipTags.parseStrings(withForeign)).containsEntry("owned-by-someone-else", "");
  }

  @Test
  void enisWithoutTheClusterTagAreNotOurs() {
    assertThat(OwnershipTags.fromMap(Map.of("Name", "web"))).isEmpty();
    assertThat(OwnershipTags.isOursFor("prod-1").test(Map.of("Name", "web"))).isFalse();
  }

  @Test
  void isOursForMatchesOnlyItsCluster() {
    assertThat(OwnershipTags.isOursFor("prod-1").test(tags.toMap())).isTrue();
    assertThat(OwnershipTags.isOursFor("prod-2").test(tags.toMap())).isFalse();
  }

  @Test
  void malformedTagsAreRejectedNamingTheTag() {
    assertThatThrownBy(() -> OwnershipTags.parseStrings(List.of("=value")))
        .hasMessageContaining("malformed tag \"=value\"");

    var noNode = new HashMap<>(tags.toMap());
    noNode.remove(OwnershipTags.NODE_KEY);
    assertThatThrownBy(() -> OwnershipTags.fromMap(noNode))
        .hasMessageContaining("missing tag vpc-cni:node");

    var badTime = new HashMap<>(tags.toMap());
    badTime.put(OwnershipTags.CREATED_AT_KEY, "yesterday");
    assertThatThrownBy(() -> OwnershipTags.fromMap(badTime))
        .hasMessageContaining("malformed tag vpc-cni:created-at=\"yesterday\"");
    assertThat(OwnershipTags.isOursFor("prod-1").test(badTime))
        .as("half-tagged ENIs are left alone")
        .isFalse();

    var slash = new HashMap<>(tags.toMap());
    slash.put(OwnershipTags.NODE_KEY, "a/b");
    assertThatThrownBy(() -> OwnershipTags.fromMap(slash))
        .hasMessageContaining("malformed tag vpc-cni:node=\"a/b\"");
  }

  @Test
  void constructorRejectsValuesNeutronCannotCarry() {
    Instant now = Instant.now();
    assertThatThrownBy(() -> new OwnershipTags("prod 1", "n", now))
        .hasMessageContaining("vpc-cni:cluster");
    assertThatThrownBy(() -> new OwnershipTags("prod", "a,b", now))
        .hasMessageContaining("vpc-cni:node");
    assertThatThrownBy(() -> new OwnershipTags("prod", "n".repeat(300), now))
        .hasMessageContaining("longer than 255");
  }

  @Test
  void selectorsSelectClusterAndNode() {
    Eni eni =
        new Eni(
            "eni-1",
            io.vpccni.netaddr.MacAddress.parse("02:00:00:00:00:01"),
            "subnet-a",
            io.vpccni.netaddr.IpAddress.parse("10.0.0.4"),
            List.of(),
            List.of(),
            "",
            EniStatus.AVAILABLE,
            java.util.Optional.empty(),
            tags.toMap(),
            Instant.EPOCH);
    assertThat(EniFilter.byTags(OwnershipTags.clusterSelector("prod-1")).matches(eni)).isTrue();
    assertThat(
            EniFilter.byTags(OwnershipTags.nodeSelector("prod-1", "node-a.example")).matches(eni))
        .isTrue();
    assertThat(EniFilter.byTags(OwnershipTags.nodeSelector("prod-1", "node-b")).matches(eni))
        .isFalse();
    assertThat(EniFilter.byInstance("i-1").matches(eni)).isFalse();
  }
}
