package io.vpccni.agent.deviceplugin;

import static io.vpccni.agent.deviceplugin.Specs.spec;
import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.agent.config.Mode;
import io.vpccni.crd.NodeEniSpec;
import org.junit.jupiter.api.Test;

class EniCapacityTest {
  @Test
  void withoutSubnetFactsTheQuotaIsAdvertised() {
    // m5.large: 3 ENIs × 10 addresses; 2 secondary ENIs × 9 secondary IPs
    assertThat(EniCapacity.of(Mode.SHARED, spec(3, 10, null, 4)).devices()).isEqualTo(18);
    assertThat(EniCapacity.of(Mode.IPVLAN, spec(3, 10, null)).devices()).isEqualTo(18);
    assertThat(EniCapacity.of(Mode.EXCLUSIVE, spec(3, 10, null, 1)).devices()).isEqualTo(2);
  }

  @Test
  void aFullSubnetLeavesOnlyWhatTheNodeHolds() {
    EniCapacity c = EniCapacity.of(Mode.SHARED, spec(3, 10, 0L, 4));
    assertThat(c.devices()).isEqualTo(4);
    assertThat(c.quota()).isEqualTo(18);
    assertThat(c.held()).isEqualTo(4);
    assertThat(c.canCome()).isZero();
  }

  @Test
  void freeSlotsOnExistingEnisComeFirstAndANewEniSpendsAnAddressOnItsPrimary() {
    // 5 free slots on eni-1; 6 free addresses: 5 there, 1 left, not enough for a new ENI + an IP
    assertThat(EniCapacity.of(Mode.SHARED, spec(3, 10, 6L, 4)).devices()).isEqualTo(9);
    // 8 free addresses: 5 on eni-1, then a new ENI (primary + 2 IPs)
    assertThat(EniCapacity.of(Mode.SHARED, spec(3, 10, 8L, 4)).devices()).isEqualTo(11);
    // plenty: the quota
    assertThat(EniCapacity.of(Mode.SHARED, spec(3, 10, 1000L, 4)).devices()).isEqualTo(18);
  }

  @Test
  void exclusiveModeCountsEnisAndOneAddressPerNewEni() {
    assertThat(EniCapacity.of(Mode.EXCLUSIVE, spec(4, 10, 1L, 1)).devices()).isEqualTo(2);
    assertThat(EniCapacity.of(Mode.EXCLUSIVE, spec(4, 10, 0L, 1)).devices()).isEqualTo(1);
    assertThat(EniCapacity.of(Mode.EXCLUSIVE, spec(4, 10, 50L)).devices()).isEqualTo(3);
  }

  @Test
  void detachingEnisCountAsFreeSlots() {
    NodeEniSpec s = spec(3, 10, 0L, 9, 9);
    s.enis.get(1).state = "Detaching";
    assertThat(EniCapacity.of(Mode.SHARED, s).devices()).isEqualTo(9);
  }

  @Test
  void eachSubnetCountsOnce() {
    NodeEniSpec s = spec(3, 10, 3L, 4);
    s.subnets.add(Specs.subnet("subnet-1", 3));
    s.subnets.add(Specs.subnet("subnet-2", 2));
    assertThat(EniCapacity.of(Mode.SHARED, s).devices()).isEqualTo(9); // 4 held + 5 free addresses
  }

  @Test
  void impossibleNumbersGiveZeroWithTheFieldNamed() {
    assertThat(EniCapacity.of(Mode.SHARED, spec(-1, 10, null)))
        .satisfies(
            c -> {
              assertThat(c.devices()).isZero();
              assertThat(c.problem()).contains("spec.maxEnis").contains("-1");
            });
    assertThat(EniCapacity.of(Mode.SHARED, spec(3, -4, null)).problem()).contains("spec.ipsPerEni");
    assertThat(EniCapacity.of(Mode.SHARED, spec(3, 10, -5L)).problem())
        .contains("spec.subnets[0].freeIps");
    assertThat(EniCapacity.of(Mode.SHARED, null).devices()).isZero();
  }
}
