package io.vpccni.cloud.testkit;

import java.util.List;
import java.util.Optional;

/** The provider contract, run against the in-process fake. */
class FakeVpcApiContractTest extends VpcApiContractTest {

  @Override
  protected Fixture createFixture() {
    var fake = new FakeVpcApi();
    fake.addSubnet("subnet-a", "10.0.0.0/24", "zone-a");
    fake.addSubnet("subnet-small", "10.0.9.0/28", "zone-a");
    fake.addInstance("i-1", InstanceType.M5_LARGE, "subnet-a", List.of("sg-1"));
    return new Fixture(fake, "i-1", "subnet-a", List.of("sg-1"), Optional.of("subnet-small"), fake);
  }
}
