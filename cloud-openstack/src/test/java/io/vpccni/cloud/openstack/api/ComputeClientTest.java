package io.vpccni.cloud.openstack.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vpccni.netaddr.IpAddress;
import io.vpccni.netaddr.MacAddress;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ComputeClientTest {
  private static final String ATTACHMENT =
      """
      {"port_id":"p1","net_id":"n1","mac_addr":"fa:16:3e:00:00:01","port_state":"ACTIVE",
       "fixed_ips":[{"subnet_id":"s1","ip_address":"10.10.1.21"}]}
      """;

  private FakeHttpServer server;
  private ComputeClient client;

  @BeforeEach
  void start() throws Exception {
    server = new FakeHttpServer();
    client =
        new ComputeClient(
            NoAuthSession.of(Map.of(OpenStackSession.COMPUTE, server.uri("/v2.1/proj"))));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void attachListDetach() {
    server.on(
        "POST /v2.1/proj/servers/vm-1/os-interface",
        200,
        "{\"interfaceAttachment\":" + ATTACHMENT + "}");
    server.on(
        "GET /v2.1/proj/servers/vm-1/os-interface",
        200,
        "{\"interfaceAttachments\":[" + ATTACHMENT + "]}");
    server.on("DELETE /v2.1/proj/servers/vm-1/os-interface/p1", 202, "");

    InterfaceAttachment a = client.attachInterface("vm-1", "p1");
    assertThat(Json.MAPPER.readTree(server.last().body()))
        .isEqualTo(Json.MAPPER.readTree("{\"interfaceAttachment\":{\"port_id\":\"p1\"}}"));
    assertThat(a)
        .isEqualTo(
            new InterfaceAttachment(
                "p1",
                "n1",
                MacAddress.parse("fa:16:3e:00:00:01"),
                "ACTIVE",
                java.util.List.of(new FixedIp("s1", IpAddress.parse("10.10.1.21")))));
    assertThat(client.listInterfaces("vm-1")).containsExactly(a);
    client.detachInterface("vm-1", "p1");
    assertThat(server.last().method()).isEqualTo("DELETE");
  }

  @Test
  void novaErrorBodyKeyIsTheType() {
    server.on(
        "POST /v2.1/proj/servers/vm-9/os-interface",
        404,
        "{\"itemNotFound\":{\"code\":404,\"message\":\"Instance vm-9 could not be found.\"}}");
    assertThatThrownBy(() -> client.attachInterface("vm-9", "p1"))
        .isInstanceOfSatisfying(
            OpenStackApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(404);
              assertThat(e.type()).isEqualTo("itemNotFound");
              assertThat(e.isNotFound()).isTrue();
              assertThat(e.operation()).isEqualTo("attach port p1 to server vm-9");
              assertThat(e.getMessage()).endsWith("Instance vm-9 could not be found.");
            });
  }

  @Test
  void conflictingRequestOnDetach() {
    server.on(
        "DELETE /v2.1/proj/servers/vm-1/os-interface/p1",
        409,
        "{\"conflictingRequest\":{\"code\":409,\"message\":\"Cannot 'detach_interface' instance vm-1 while it is in task_state deleting\"}}");
    assertThatThrownBy(() -> client.detachInterface("vm-1", "p1"))
        .isInstanceOfSatisfying(
            OpenStackApiException.class, e -> assertThat(e.type()).isEqualTo("conflictingRequest"));
  }
}
