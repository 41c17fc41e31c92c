package io.vpccni.cloud.openstack;

import io.vpccni.cloud.VpcApis;
import io.vpccni.cloud.testkit.VpcApiContractTest;
import io.vpccni.emulator.VpcEmulator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The provider contract against the VPC emulator in-process (a fresh one per test), through {@link
 * VpcApis} and the provider's settings, as the controller creates it.
 */
class EmulatorOpenStackContractTest extends VpcApiContractTest {

  @Override
  protected Fixture createFixture() {
    VpcEmulator emulator = VpcEmulator.start(VpcEmulator.Options.defaults());
    var vpc = emulator.vpc();
    var network = vpc.createNetwork("vpc", List.of());
    var subnet = vpc.createSubnet(network.id, "nodes", "10.0.0.0/24", "10.0.0.1", List.of());
    var small = vpc.createSubnet(network.id, "small", "10.0.9.0/28", "10.0.9.1", List.of());
    var node = vpc.createInstance("node-1", "m5.large", subnet.id, null);
    String base = emulator.baseUrl().toString();
    var api =
        VpcApis.create(
            "openstack",
            Map.of(
                "endpoint.network",
                base + "/v2.0",
                "endpoint.compute",
                base + "/v2.1",
                "network",
                "vpc",
                "flavor.m5.large",
                "3x9"));
    return new Fixture(
        api, node.id, subnet.id, List.of("sg-1"), Optional.of(small.id), emulator::close);
  }
}
