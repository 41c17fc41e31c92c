package io.vpccni.controller.pools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vpccni.cloud.CloudException;
import io.vpccni.cloud.CloudOperation;
import io.vpccni.cloud.testkit.FakeVpcApi;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Subnet choice against the fake cloud. */
class SubnetChooserTest {
  FakeVpcApi cloud;
  Instant[] now = {Instant.parse("2026-01-01T00:00:00Z")};
  Clock clock =
      new Clock() {
        @Override
        public ZoneOffset getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
          return this;
        }

        @Override
        public Instant instant() {
          return now[0];
        }
      };
  SubnetChooser chooser;
  PoolTarget pool = new PoolTarget("a", List.of("small", "big", "other-zone"), List.of());

  @BeforeEach
  void up() {
    cloud = new FakeVpcApi();
    cloud.addSubnet("small", "10.1.0.0/26", "z1");
    cloud.addSubnet("big", "10.2.0.0/24", "z1");
    cloud.addSubnet("other-zone", "10.3.0.0/16", "z2");
    chooser = new SubnetChooser(cloud, clock, Duration.ofSeconds(60));
  }

  @Test
  void picksTheSubnetWithTheMostFreeAddressesInTheNodesZone() {
    assertThat(chooser.choose(pool, "z1", 5).id()).isEqualTo("big");
    assertThat(chooser.choose(pool, "z2", 5).id()).isEqualTo("other-zone");
  }

  @Test
  void describesEachSubnetOncePerTtlAndCountsItsOwnUse() {
    for (int i = 0; i < 20; i++) {
      chooser.choose(pool, "z1", 5);
    }
    assertThat(cloud.calls(CloudOperation.DESCRIBE_SUBNET)).isEqualTo(3);
    // the controller's own use moves the pick before the cache expires
    long big = chooser.describe("big").availableIps();
    long small = chooser.describe("small").availableIps();
    chooser.used("big", (int) (big - small) + 1);
    assertThat(chooser.choose(pool, "z1", 5).id()).isEqualTo("small");
    now[0] = now[0].plusSeconds(61);
    assertThat(chooser.choose(pool, "z1", 5).id()).isEqualTo("big");
    assertThat(cloud.calls(CloudOperation.DESCRIBE_SUBNET)).isEqualTo(6);
  }

  @Test
  void anExhaustedSubnetIsSkippedAndAllExhaustedIsInsufficientAddresses() {
    chooser.exhausted("big");
    assertThat(chooser.choose(pool, "z1", 5).id()).isEqualTo("small");
    chooser.exhausted("small");
    assertThatThrownBy(() -> chooser.choose(pool, "z1", 5))
        .isInstanceOfSatisfying(
            CloudException.class,
            e -> assertThat(e.reason()).isEqualTo(CloudException.Reason.INSUFFICIENT_ADDRESSES));
  }

  @Test
  void noSubnetInTheZoneIsUnservable() {
    assertThatThrownBy(() -> chooser.choose(pool, "z9", 1))
        .isInstanceOfSatisfying(
            PoolUnservableException.class,
            e -> assertThat(e.reason()).isEqualTo(PoolConditions.NO_SUBNET_IN_ZONE));
  }
}
