package io.vpccni.controller.pools;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.crd.NodeEniSpec;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class SubnetFactsTest {
  final CloudRecordTest.TestClock clock = new CloudRecordTest.TestClock();
  final AtomicInteger calls = new AtomicInteger();
  final AtomicLong free = new AtomicLong(200);
  final AtomicReference<RuntimeException> fail = new AtomicReference<>();
  final SubnetFacts facts =
      new SubnetFacts(
          id -> {
            calls.incrementAndGet();
            RuntimeException f = fail.get();
            if (f != null) {
              throw f;
            }
            if (id.equals("subnet-gone")) {
              return Optional.empty();
            }
            NodeEniSpec.Subnet s = new NodeEniSpec.Subnet();
            s.id = id;
            s.cidr = "10.1.0.0/16";
            s.freeIps = free.get();
            return Optional.of(s);
          },
          clock,
          Duration.ofMinutes(5));

  @Test
  void aSubnetIsDescribedAtMostOncePerTtlWhateverTheNumberOfNodesAndSyncs() {
    for (int node = 0; node < 20; node++) {
      assertThat(facts.of(List.of("subnet-1")))
          .singleElement()
          .extracting(s -> s.freeIps)
          .isEqualTo(200L);
    }
    assertThat(calls).hasValue(1);
    free.set(150);
    clock.now = clock.now.plus(Duration.ofMinutes(4));
    assertThat(facts.of(List.of("subnet-1")).getFirst().freeIps).isEqualTo(200L);
    clock.now = clock.now.plus(Duration.ofMinutes(1));
    assertThat(facts.of(List.of("subnet-1")).getFirst().freeIps).isEqualTo(150L);
    assertThat(calls).hasValue(2);
  }

  @Test
  void aFailedDescriptionKeepsTheLastKnownCountAndIsNotRetriedBeforeTheTtl() {
    facts.of(List.of("subnet-1"));
    clock.now = clock.now.plus(Duration.ofMinutes(5));
    fail.set(new IllegalStateException("throttled"));
    assertThat(facts.of(List.of("subnet-1")).getFirst().freeIps).isEqualTo(200L);
    assertThat(facts.of(List.of("subnet-1")).getFirst().freeIps).isEqualTo(200L);
    assertThat(calls).hasValue(2);
  }

  @Test
  void unknownSubnetsAreLeftOutAndEachSubnetIsCachedOnItsOwn() {
    assertThat(facts.of(List.of("subnet-gone", "subnet-1", "subnet-2")))
        .extracting(s -> s.id)
        .containsExactly("subnet-1", "subnet-2");
    facts.of(List.of("subnet-gone", "subnet-1", "subnet-2"));
    assertThat(calls).hasValue(3);
  }
}
