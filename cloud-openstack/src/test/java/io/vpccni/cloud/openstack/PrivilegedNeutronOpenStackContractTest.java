package io.vpccni.cloud.openstack;

import io.vpccni.cloud.VpcApis;
import io.vpccni.cloud.openstack.api.FixedIp;
import io.vpccni.cloud.openstack.api.NetworkCreate;
import io.vpccni.cloud.openstack.api.NeutronClient;
import io.vpccni.cloud.openstack.api.NoAuthSession;
import io.vpccni.cloud.openstack.api.PortCreate;
import io.vpccni.cloud.openstack.api.RealNeutronServer;
import io.vpccni.cloud.openstack.api.SubnetCreate;
import io.vpccni.cloud.testkit.VpcApiContractTest;
import io.vpccni.netaddr.IpPrefix;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The provider contract against a REAL neutron-server ({@code scripts/neutron-server.sh}, Zed,
 * noauth, no agents). There is no Nova, so {@link NeutronBackedNova} stands in for the Compute
 * calls and does to ports what Nova does; every Neutron-side behaviour (ports, fixed IPs, tags,
 * filters, errors, free counts, concurrent writes) is the real server's.
 *
 * <p>Skipped, with the cause: {@value #NO_AGENT} (the ports this server binds stay {@code DOWN}).
 */
@Tag("neutron")
@ExtendWith(RealNeutronServer.Extension.class)
@ExtendWith(PrivilegedNeutronOpenStackContractTest.NoAgent.class)
class PrivilegedNeutronOpenStackContractTest extends VpcApiContractTest {
  static final String NO_AGENT =
      "attachedEniIsListedByInstanceWithItsDeviceIndex waits for IN_USE, but without an L2 agent"
          + " an attached port stays DOWN, which the provider reports as ATTACHING";

  /** Disables the cases that need what this server lacks, naming why. */
  static final class NoAgent implements ExecutionCondition {
    private static final Set<String> NEEDS_AGENT =
        Set.of("attachedEniIsListedByInstanceWithItsDeviceIndex");

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
      return context
          .getTestMethod()
          .filter(m -> NEEDS_AGENT.contains(m.getName()))
          .map(m -> ConditionEvaluationResult.disabled(NO_AGENT))
          .orElse(ConditionEvaluationResult.enabled("needs only Neutron"));
    }
  }

  private record Shared(
      NeutronClient neutron,
      NeutronBackedNova nova,
      String networkId,
      String subnetId,
      String smallSubnetId) {}

  private static Shared shared;
  private final RealNeutronServer server;

  PrivilegedNeutronOpenStackContractTest(RealNeutronServer server) {
    this.server = server;
  }

  private synchronized Shared shared() throws IOException {
    if (shared == null) {
      var neutron = new NeutronClient(NoAuthSession.network(server.endpoint()));
      String suffix = Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 40);
      var net = neutron.createNetwork(new NetworkCreate("vpc-contract-" + suffix));
      var subnet =
          neutron.createSubnet(SubnetCreate.of(net.id(), "nodes", IpPrefix.parse("10.77.0.0/24")));
      var small =
          neutron.createSubnet(SubnetCreate.of(net.id(), "small", IpPrefix.parse("10.77.9.0/28")));
      shared =
          new Shared(neutron, new NeutronBackedNova(neutron), net.id(), subnet.id(), small.id());
    }
    return shared;
  }

  @Override
  protected Fixture createFixture() throws Exception {
    Shared s = shared();
    String serverId = "server-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16);
    var boot =
        s.neutron()
            .createPort(
                PortCreate.on(s.networkId())
                    .withName(serverId + "-eth0")
                    .withFixedIps(List.of(FixedIp.anyIn(s.subnetId())))
                    .withDevice(serverId, "compute:nova"));
    s.nova().addServer(serverId, "m5.large", boot.id());
    var api =
        VpcApis.create(
            "openstack",
            Map.of(
                "endpoint.network", server.endpoint().toString(),
                "endpoint.compute", s.nova().endpoint().toString(),
                "network", s.networkId(),
                "flavor.m5.large", "3x9"));
    return new Fixture(
        api,
        serverId,
        s.subnetId(),
        List.of(),
        Optional.of(s.smallSubnetId()),
        () -> {
          s.nova().removeServer(serverId);
          s.neutron().deletePort(boot.id());
        });
  }
}
