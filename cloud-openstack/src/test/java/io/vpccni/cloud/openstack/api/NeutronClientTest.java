package io.vpccni.cloud.openstack.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vpccni.netaddr.IpAddress;
import io.vpccni.netaddr.IpPrefix;
import io.vpccni.netaddr.MacAddress;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class NeutronClientTest {
  private static final String PORT_JSON =
      """
      {"port":{"id":"p1","name":"eni-0","network_id":"n1","mac_address":"fa:16:3e:00:00:01",
       "status":"DOWN","device_id":"vm-1","device_owner":"compute:kube-node",
       "binding:host_id":"compute-1","binding:vif_type":"ovs",
       "fixed_ips":[{"subnet_id":"s1","ip_address":"10.10.1.21"},{"subnet_id":"s1","ip_address":"10.10.7.7"}],
       "allowed_address_pairs":[{"ip_address":"10.10.50.0/24","mac_address":"fa:16:3e:00:00:01"}],
       "security_groups":["sg1"],"project_id":"proj","description":"d","revision_number":7,
       "tags":["cluster=demo","node=vm-1"]}}
      """;

  private FakeHttpServer server;
  private NeutronClient client;

  @BeforeEach
  void start() throws Exception {
    server = new FakeHttpServer();
    client = new NeutronClient(NoAuthSession.network(server.uri("/v2.0")));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private static JsonNode json(String s) {
    return Json.MAPPER.readTree(s);
  }

  @Test
  void endpointGetsV2SuffixWhenCatalogUrlHasNone() {
    NeutronClient bare =
        new NeutronClient(NoAuthSession.network(URI.create("http://127.0.0.1:9696/")));
    assertThat(bare.endpoint()).hasToString("http://127.0.0.1:9696/v2.0");
    assertThat(client.endpoint().getPath()).isEqualTo("/v2.0");
  }

  @Test
  void createPortSendsOnlySetFieldsAndMapsTheResponse() {
    server.on("POST /v2.0/ports", 201, PORT_JSON);
    Port p =
        client.createPort(
            PortCreate.on("n1")
                .withName("eni-0")
                .withFixedIps(
                    List.of(FixedIp.anyIn("s1"), new FixedIp("s1", IpAddress.parse("10.10.7.7"))))
                .withDevice("vm-1", "compute:kube-node")
                .withHostId("compute-1")
                .withTags(List.of("cluster=demo", "node=vm-1")));

    FakeHttpServer.Request r = server.last();
    assertThat(r.header("X-Auth-Token")).isEqualTo(NoAuthSession.DUMMY_TOKEN);
    assertThat(r.header("Content-Type")).isEqualTo("application/json");
    assertThat(json(r.body()))
        .isEqualTo(
            json(
                """
                {"port":{"network_id":"n1","name":"eni-0","device_id":"vm-1",
                 "device_owner":"compute:kube-node","binding:host_id":"compute-1",
                 "fixed_ips":[{"subnet_id":"s1"},{"subnet_id":"s1","ip_address":"10.10.7.7"}],
                 "tags":["cluster=demo","node=vm-1"]}}
                """));
    assertThat(p.id()).isEqualTo("p1");
    assertThat(p.macAddress()).isEqualTo(MacAddress.parse("fa:16:3e:00:00:01"));
    assertThat(p.hostId()).isEqualTo("compute-1");
    assertThat(p.vifType()).isEqualTo("ovs");
    assertThat(p.fixedIps())
        .containsExactly(
            new FixedIp("s1", IpAddress.parse("10.10.1.21")),
            new FixedIp("s1", IpAddress.parse("10.10.7.7")));
    assertThat(p.allowedAddressPairs())
        .containsExactly(new AddressPair("10.10.50.0/24", MacAddress.parse("fa:16:3e:00:00:01")));
    assertThat(p.revisionNumber()).isEqualTo(7);
    assertThat(p.tags()).containsExactly("cluster=demo", "node=vm-1");
    assertThat(p.securityGroups()).containsExactly("sg1");
  }

  @Test
  void updateFixedIpsSendsTheWholeListAndNothingElse() {
    server.on("PUT /v2.0/ports/p1", 200, PORT_JSON);
    client.updatePort(
        "p1",
        PortUpdate.fixedIps(
            List.of(new FixedIp("s1", IpAddress.parse("10.10.1.21")), FixedIp.anyIn("s1"))));
    assertThat(json(server.last().body()))
        .isEqualTo(
            json(
                "{\"port\":{\"fixed_ips\":[{\"subnet_id\":\"s1\",\"ip_address\":\"10.10.1.21\"},{\"subnet_id\":\"s1\"}]}}"));
    assertThat(server.last().header("If-Match")).isNull();
  }

  @Test
  void updateWithRevisionSendsIfMatch() {
    server.on("PUT /v2.0/ports/p1", 200, PORT_JSON);
    client.updatePort("p1", PortUpdate.hostId("").withDevice("", ""), 7);
    assertThat(server.last().header("If-Match")).isEqualTo("revision_number=7");
    assertThat(json(server.last().body()))
        .isEqualTo(
            json("{\"port\":{\"device_id\":\"\",\"device_owner\":\"\",\"binding:host_id\":\"\"}}"));
  }

  @Test
  void updateAllowedAddressPairsOmitsAbsentMac() {
    server.on("PUT /v2.0/ports/p1", 200, PORT_JSON);
    client.updatePort(
        "p1",
        PortUpdate.allowedAddressPairs(
            List.of(
                AddressPair.of("10.10.50.0/24"),
                new AddressPair("10.10.60.5", MacAddress.parse("fa:16:3e:00:00:02")))));
    assertThat(json(server.last().body()))
        .isEqualTo(
            json(
                """
                {"port":{"allowed_address_pairs":[{"ip_address":"10.10.50.0/24"},
                 {"ip_address":"10.10.60.5","mac_address":"fa:16:3e:00:00:02"}]}}
                """));
  }

  @Test
  void listPortsEncodesFiltersTagsAndRepeatedFields() {
    server.on("GET /v2.0/ports", 200, "{\"ports\":[{\"id\":\"p1\",\"tags\":[\"a=b\"]}]}");
    List<Port> ports =
        client.listPorts(
            ListFilter.all()
                .deviceId("vm 1")
                .tags(List.of("cluster=demo", "node=vm-1"))
                .tagsAny(List.of("x", "y"))
                .notTags(List.of("leak-check"))
                .notTagsAny(List.of("z"))
                .fixedIp(IpAddress.parse("10.0.0.5"))
                .fields("id", "tags"));
    assertThat(server.last().rawQuery())
        .isEqualTo(
            "device_id=vm%201&tags=cluster%3Ddemo%2Cnode%3Dvm-1&tags-any=x%2Cy&not-tags=leak-check"
                + "&not-tags-any=z&fixed_ips=ip_address%3D10.0.0.5&fields=id&fields=tags");
    assertThat(ports).hasSize(1);
    Port p = ports.getFirst();
    assertThat(p.id()).isEqualTo("p1");
    assertThat(p.tags()).containsExactly("a=b");
    assertThat(p.fixedIps()).isEmpty();
    assertThat(p.macAddress()).isNull();
  }

  @Test
  void tagFilterRejectsCommasAndEmptySets() {
    assertThatThrownBy(() -> ListFilter.all().tags(List.of("a,b")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ListFilter.all().tagsAny(List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void tagCallsUseTheTagsSubresource() {
    server.on("PUT /v2.0/ports/p1/tags/cluster%3Ddemo", 201, "");
    server.on("DELETE /v2.0/ports/p1/tags/leak-check", 204, "");
    server.on("GET /v2.0/ports/p1/tags", 200, "{\"tags\":[\"cluster=demo\"]}");
    server.on("PUT /v2.0/ports/p1/tags", 200, "{\"tags\":[\"a\",\"b\"]}");
    client.addTag(TaggedResource.PORTS, "p1", "cluster=demo");
    client.removeTag(TaggedResource.PORTS, "p1", "leak-check");
    assertThat(client.listTags(TaggedResource.PORTS, "p1")).containsExactly("cluster=demo");
    assertThat(client.replaceTags(TaggedResource.PORTS, "p1", List.of("a", "b")))
        .containsExactly("a", "b");
    assertThat(json(server.last().body())).isEqualTo(json("{\"tags\":[\"a\",\"b\"]}"));
  }

  @Test
  void createSubnetSendsVersionPoolsAndGateway() {
    server.on(
        "POST /v2.0/subnets",
        201,
        """
        {"subnet":{"id":"s1","name":"sn","network_id":"n1","ip_version":4,"cidr":"10.10.0.0/16",
         "gateway_ip":"10.10.0.1","enable_dhcp":false,"project_id":"proj","tags":[],
         "allocation_pools":[{"start":"10.10.1.10","end":"10.10.1.250"}]}}
        """);
    Subnet s =
        client.createSubnet(
            SubnetCreate.of("n1", "sn", IpPrefix.parse("10.10.0.0/16"))
                .withGateway(IpAddress.parse("10.10.0.1"))
                .withAllocationPools(
                    List.of(
                        new AllocationPool(
                            IpAddress.parse("10.10.1.10"), IpAddress.parse("10.10.1.250")))));
    assertThat(json(server.last().body()))
        .isEqualTo(
            json(
                """
                {"subnet":{"network_id":"n1","name":"sn","ip_version":4,"cidr":"10.10.0.0/16",
                 "enable_dhcp":false,"gateway_ip":"10.10.0.1",
                 "allocation_pools":[{"start":"10.10.1.10","end":"10.10.1.250"}]}}
                """));
    assertThat(s.cidr()).isEqualTo(IpPrefix.parse("10.10.0.0/16"));
    assertThat(s.gatewayIp()).isEqualTo(IpAddress.parse("10.10.0.1"));
    assertThat(s.allocationPools())
        .containsExactly(
            new AllocationPool(IpAddress.parse("10.10.1.10"), IpAddress.parse("10.10.1.250")));
  }

  @Test
  void networksListCreateDelete() {
    server.on(
        "GET /v2.0/networks",
        200,
        "{\"networks\":[{\"id\":\"n1\",\"name\":\"a\",\"mtu\":1450,\"status\":\"ACTIVE\"}]}");
    server.on("POST /v2.0/networks", 201, "{\"network\":{\"id\":\"n2\",\"name\":\"b\"}}");
    server.on("DELETE /v2.0/networks/n2", 204, "");
    assertThat(client.listNetworks(ListFilter.all().name("a")))
        .containsExactly(new Network("n1", "a", "ACTIVE", "", 1450, List.of()));
    assertThat(server.last().rawQuery()).isEqualTo("name=a");
    assertThat(client.createNetwork(new NetworkCreate("b")).id()).isEqualTo("n2");
    assertThat(json(server.last().body())).isEqualTo(json("{\"network\":{\"name\":\"b\"}}"));
    client.deleteNetwork("n2");
    assertThat(server.last().method()).isEqualTo("DELETE");
  }

  @Test
  void neutronErrorBecomesTypedException() {
    server.on(
        "PUT /v2.0/ports/p1",
        409,
        "{\"NeutronError\":{\"type\":\"IpAddressAlreadyAllocated\",\"message\":\"IP address 10.0.0.5 already allocated in subnet s1\",\"detail\":\"\"}}");
    assertThatThrownBy(() -> client.updatePort("p1", PortUpdate.fixedIps(List.of())))
        .isInstanceOfSatisfying(
            OpenStackApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(409);
              assertThat(e.type()).isEqualTo("IpAddressAlreadyAllocated");
              assertThat(e.operation()).isEqualTo("update port p1");
              assertThat(e.isNotFound()).isFalse();
              assertThat(e.getMessage())
                  .isEqualTo(
                      "failed to update port p1: HTTP 409 IpAddressAlreadyAllocated: IP address 10.0.0.5 already allocated in subnet s1");
            });
  }

  @Test
  void notFoundIsRecognisableByTypeAndStatus() {
    server.on(
        "DELETE /v2.0/ports/gone",
        404,
        "{\"NeutronError\":{\"type\":\"PortNotFound\",\"message\":\"Port gone could not be found.\",\"detail\":\"\"}}");
    assertThatThrownBy(() -> client.deletePort("gone"))
        .isInstanceOfSatisfying(
            OpenStackApiException.class,
            e -> {
              assertThat(e.isNotFound()).isTrue();
              assertThat(e.type()).isEqualTo("PortNotFound");
            });
  }

  @Test
  void nonJsonErrorKeepsTheTextAndAnEmptyType() {
    server.on("GET /v2.0/ports/p1", 503, "<html>Service Unavailable</html>");
    assertThatThrownBy(() -> client.getPort("p1"))
        .isInstanceOfSatisfying(
            OpenStackApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(503);
              assertThat(e.type()).isEmpty();
              assertThat(e.getMessage()).contains("Service Unavailable");
            });
  }

  @Test
  void noResponseIsStatusZeroTransport() {
    URI dead = server.uri("/v2.0");
    server.close();
    NeutronClient c = new NeutronClient(NoAuthSession.network(dead));
    assertThatThrownBy(() -> c.getPort("p1"))
        .isInstanceOfSatisfying(
            OpenStackApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(OpenStackApiException.NO_RESPONSE);
              assertThat(e.type()).isEqualTo("Transport");
              assertThat(e.operation()).isEqualTo("get port p1");
            });
  }

  @Test
  void noAuthDoesNotRetryA401() {
    server.on(
        "GET /v2.0/ports/p1",
        401,
        "{\"error\":{\"code\":401,\"title\":\"Unauthorized\",\"message\":\"no\"}}");
    assertThatThrownBy(() -> client.getPort("p1"))
        .isInstanceOfSatisfying(
            OpenStackApiException.class, e -> assertThat(e.type()).isEqualTo("Unauthorized"));
    assertThat(server.requests).hasSize(1);
  }
}
