package io.vpccni.controller.pools;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.crd.NodeEniSpec;
import io.vpccni.netaddr.IpAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CloudRecordTest {
  /** A clock the test moves. */
  static final class TestClock extends Clock {
    Instant now = Instant.parse("2026-12-01T00:00:00Z");

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  final TestClock clock = new TestClock();
  final List<NodeEniSpec.Eni> cloud = new ArrayList<>();
  final AtomicInteger lists = new AtomicInteger();
  final CloudRecord record =
      new CloudRecord(
          () -> {
            lists.incrementAndGet();
            return cloud.stream().map(CloudRecord::copy).toList();
          },
          clock,
          Duration.ofMinutes(5),
          Duration.ofSeconds(60));

  static NodeEniSpec.Eni eni(String id, int index, String state, String... ips) {
    NodeEniSpec.Eni e = new NodeEniSpec.Eni();
    e.id = id;
    e.deviceIndex = index;
    e.state = state;
    e.ips = new ArrayList<>(List.of(ips));
    return e;
  }

  @Test
  void listsOnceThenTrustsItselfUntilTheResyncPeriod() {
    cloud.add(eni("a", 1, "Attached", "10.0.0.5"));
    assertThat(record.enis()).singleElement().satisfies(e -> assertThat(e.id).isEqualTo("a"));
    record.assigned("a", List.of(IpAddress.parse("10.0.0.6")));
    clock.now = clock.now.plusSeconds(299);
    assertThat(record.enis().getFirst().ips).containsExactly("10.0.0.5", "10.0.0.6");
    assertThat(lists).hasValue(1);
    clock.now = clock.now.plusSeconds(1);
    // the cloud is the truth again: the assign above never reached this fake cloud
    assertThat(record.enis().getFirst().ips).containsExactly("10.0.0.5");
    assertThat(lists).hasValue(2);
  }

  @Test
  void anEniWeCreatedSurvivesAListingThatDoesNotShowItYet() {
    record.enis();
    record.added(eni("new", 1, "Attached", "10.0.0.7"));
    record.invalidate();
    clock.now = clock.now.plusSeconds(10);
    assertThat(record.enis()).extracting(e -> e.id).containsExactly("new");
    assertThat(lists).hasValue(2);
    clock.now = clock.now.plusSeconds(60);
    record.invalidate();
    assertThat(record.enis()).as("after the grace, the listing wins").isEmpty();
  }

  @Test
  void anAttachingEniIsListedAgainEverySyncUntilAttached() {
    cloud.add(eni("a", 1, "Attaching"));
    record.enis();
    assertThat(record.needsListing()).isTrue();
    record.enis();
    assertThat(lists).hasValue(2);
    cloud.set(0, eni("a", 1, "Attached"));
    record.enis();
    assertThat(record.needsListing()).isFalse();
    record.enis();
    assertThat(lists).hasValue(3);
  }

  @Test
  void ownCallsKeepTheRecordAndCopiesCannotChangeIt() {
    cloud.add(eni("a", 2, "Attached", "10.0.0.5", "10.0.0.6"));
    cloud.add(eni("b", 1, "Attached"));
    List<NodeEniSpec.Eni> got = record.enis();
    assertThat(got).extracting(e -> e.id).containsExactly("b", "a");
    got.getFirst().ips.add("10.9.9.9");
    record.unassigned("a", List.of("10.0.0.5"));
    record.deleted("b");
    assertThat(record.enis())
        .singleElement()
        .satisfies(e -> assertThat(e.ips).containsExactly("10.0.0.6"));
    record.assigned("gone", List.of(IpAddress.parse("10.0.0.8")));
    assertThat(record.needsListing()).as("an ENI we do not know of: list").isTrue();
  }
}
