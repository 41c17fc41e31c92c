package io.vpccni.controller.pools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vpccni.cloud.CloudException;
import io.vpccni.cloud.CloudOperation;
import io.vpccni.cloud.OwnershipTags;
import io.vpccni.cloud.testkit.FakeVpcApi;
import io.vpccni.cloud.testkit.InstanceType;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Node operations on the SPI, against the stateful fake cloud with injected faults. */
class VpcApiNodeOperationsTest {
  FakeVpcApi cloud;
  VpcApiNodeOperations ops;

  @BeforeEach
  void up() {
    cloud = new FakeVpcApi();
    cloud.addSubnet("subnet-1", "10.0.0.0/16", "z1");
    cloud.addInstance("i-1", InstanceType.M5_LARGE, "subnet-1", List.of("sg-1"));
    ops =
        new VpcApiNodeOperations(
            cloud,
            "c1",
            n -> n.equals("n1") ? Optional.of("i-1") : Optional.empty(),
            Clock.systemUTC());
  }

  @Test
  void instanceLimitsCountTheEnisPrimaryIp() {
    assertThat(ops.instance("n1"))
        .contains(new NodeOperations.Instance("i-1", "m5.large", 3, 10, "subnet-1"));
    assertThat(ops.instance("unknown")).isEmpty();
  }

  @Test
  void subnetGivesTheCloudsFreeAddressCount() {
    long free = cloud.describeSubnet("subnet-1").availableIps();
    assertThat(ops.subnet("subnet-1"))
        .hasValueSatisfying(
            s -> {
              assertThat(s.id).isEqualTo("subnet-1");
              assertThat(s.cidr).isEqualTo("10.0.0.0/16");
              assertThat(s.freeIps).isEqualTo(free);
            });
    ops.createAndAttachEni("n1", 1, 4);
    assertThat(ops.subnet("subnet-1").orElseThrow().freeIps).isEqualTo(free - 5);
    assertThat(ops.subnet("subnet-nope")).isEmpty();
  }

  @Test
  void createAndAttachGivesATaggedAttachedEniWithItsIps() {
    var eni = ops.createAndAttachEni("n1", 1, 4);
    assertThat(eni.ips).hasSize(4);
    assertThat(eni.deviceIndex).isEqualTo(1);
    assertThat(eni.subnetCidr).isEqualTo("10.0.0.0/16");
    assertThat(eni.gateway).isEqualTo("10.0.0.1");
    assertThat(ops.enis("n1")).extracting(e -> e.id).containsExactly(eni.id);
    assertThat(OwnershipTags.isOursFor("c1").test(cloud.describeEni(eni.id).tags())).isTrue();
    assertThat(ops.assignIps("n1", eni.id, 3)).hasSize(3);
    assertThat(ops.enis("n1").get(0).ips).hasSize(7);
  }

  @Test
  void aFailedAttachDeletesTheNewEni() {
    int before = cloud.allEnis().size();
    cloud.faults().failNext(1, CloudException.Reason.CONFLICT, CloudOperation.ATTACH_ENI);
    assertThatThrownBy(() -> ops.createAndAttachEni("n1", 1, 4)).isInstanceOf(CloudException.class);
    assertThat(cloud.allEnis()).hasSize(before);
  }

  @Test
  void deleteDetachesFirstAndIsIdempotent() {
    var eni = ops.createAndAttachEni("n1", 1, 2);
    ops.deleteEni("n1", eni.id);
    ops.deleteEni("n1", eni.id);
    assertThat(ops.enis("n1")).isEmpty();
  }

  @Test
  void anEniOfASubnetPoolGoesToThePoolsSubnetWithItsGroupsAndTag() {
    cloud.addSubnet("pool-1", "10.9.0.0/24", "z1");
    cloud.addSubnet("pool-2", "10.8.0.0/20", "z2");
    var eni =
        ops.createAndAttachEni(
            "n1", 1, 2, new PoolTarget("web", List.of("pool-1", "pool-2"), List.of("sg-web")));
    assertThat(eni.subnetId).isEqualTo("pool-1"); // pool-2 is bigger but in another zone
    assertThat(eni.pool).isEqualTo("web");
    assertThat(cloud.describeEni(eni.id).securityGroups()).containsExactly("sg-web");
    assertThat(ops.enis("n1")).extracting(e -> e.pool).containsExactly("web");
  }
}
