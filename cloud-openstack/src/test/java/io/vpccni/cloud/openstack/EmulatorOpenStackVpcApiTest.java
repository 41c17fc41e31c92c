package io.vpccni.cloud.openstack;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.cloud.Attachment;
import io.vpccni.cloud.Eni;
import io.vpccni.cloud.EniCreateRequest;
import io.vpccni.cloud.IpAssignment;
import io.vpccni.cloud.OwnershipTags;
import io.vpccni.cloud.VpcApi;
import io.vpccni.cloud.VpcApis;
import io.vpccni.cloud.openstack.api.NeutronClient;
import io.vpccni.cloud.openstack.api.NoAuthSession;
import io.vpccni.emulator.VpcEmulator;
import io.vpccni.netaddr.IpAddress;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the contract does not pin down: how ENIs are kept on Neutron ports. */
class EmulatorOpenStackVpcApiTest {
  private VpcEmulator emulator;
  private VpcApi api;
  private NeutronClient neutron;
  private String subnetId;
  private String instanceId;

  @BeforeEach
  void start() {
    emulator = VpcEmulator.start();
    var vpc = emulator.vpc();
    var net = vpc.createNetwork("vpc", List.of());
    subnetId = vpc.createSubnet(net.id, "nodes", "10.0.0.0/24", "10.0.0.1", List.of()).id;
    instanceId = vpc.createInstance("node-1", "m5.large", subnetId, null).id;
    String base = emulator.baseUrl().toString();
    api =
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
    neutron = new NeutronClient(NoAuthSession.network(URI.create(base + "/v2.0")));
  }

  @AfterEach
  void stop() {
    api.close();
    emulator.close();
  }

  @Test
  void primaryIpStaysPrimaryWhateverOrderNeutronListsAddressesIn() {
    Eni eni = api.createEni(request());
    IpAddress primary = eni.primaryIp();
    api.assignIps(eni.id(), IpAssignment.count(8));
    Eni now = api.describeEni(eni.id());
    assertThat(now.primaryIp()).isEqualTo(primary);
    assertThat(now.secondaryIps()).hasSize(8).doesNotContain(primary);
    // Neutron (and the emulator) list by address text, so the first listed is usually another one
    assertThat(neutron.getPort(eni.id()).tags())
        .contains(OpenStackVpcApi.PRIMARY_IP_TAG + "=" + primary);
  }

  @Test
  void deviceIndexLivesInAPortTagHiddenFromTheEniAndTheBootPortIsZero() {
    Eni eni = api.createEni(request());
    Eni attached = api.attachEni(eni.id(), instanceId, 2);
    assertThat(attached.attachment()).contains(new Attachment(instanceId, 2));
    assertThat(neutron.getPort(eni.id()).tags()).contains(OpenStackVpcApi.DEVICE_INDEX_TAG + "=2");
    assertThat(attached.tags())
        .doesNotContainKeys(OpenStackVpcApi.DEVICE_INDEX_TAG, OpenStackVpcApi.PRIMARY_IP_TAG);
    var instance = api.describeInstance(instanceId);
    assertThat(instance.type()).isEqualTo("m5.large");
    assertThat(instance.eniQuota()).isEqualTo(3);
    assertThat(instance.ipsPerEni()).isEqualTo(9);
    assertThat(api.describeEni(instance.primaryEniId()).attachment())
        .contains(new Attachment(instanceId, 0));
  }

  private EniCreateRequest request() {
    return new EniCreateRequest(
        subnetId,
        List.of("sg-1"),
        new OwnershipTags("c1", "node-1", Instant.now()).toMap(),
        "test");
  }
}
