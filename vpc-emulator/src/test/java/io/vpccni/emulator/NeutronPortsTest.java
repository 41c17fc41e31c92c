package io.vpccni.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.emulator.Client.Reply;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Networks, subnets and ports over HTTP, with the status codes of the walkthrough in
 * neutron-server.md.
 */
class NeutronPortsTest {
  private VpcEmulator emulator;
  private Client c;
  private String net;
  private String subnet;

  @BeforeEach
  void start() {
    emulator = VpcEmulator.start(VpcEmulator.Options.defaults().withUpdateWindowMillis(0));
    c = new Client(emulator.baseUrl());
    net = c.network("eni-net");
    subnet = c.subnet(net, "10.10.0.0/16", "10.10.1.10", "10.10.1.250");
  }

  @AfterEach
  void stop() {
    emulator.close();
  }

  @Test
  void listensOnLoopbackOnly() {
    assertThat(emulator.baseUrl().getHost()).isEqualTo("127.0.0.1");
  }

  @Test
  void networkAndSubnetHaveNeutronShape() {
    JsonNode n = c.get("/v2.0/networks/" + net).body().get("network");
    assertThat(n.get("status").asString()).isEqualTo("ACTIVE");
    assertThat(n.get("mtu").asInt()).isEqualTo(1450);
    assertThat(n.get("provider:network_type").asString()).isEqualTo("vxlan");
    assertThat(n.get("subnets").get(0).asString()).isEqualTo(subnet);

    JsonNode s = c.get("/v2.0/subnets/" + subnet).body().get("subnet");
    assertThat(s.get("cidr").asString()).isEqualTo("10.10.0.0/16");
    assertThat(s.get("gateway_ip").asString()).isEqualTo("10.10.0.1");
    assertThat(s.get("allocation_pools").get(0).get("start").asString()).isEqualTo("10.10.1.10");
    assertThat(c.get("/v2.0/subnets?network_id=" + net).body().get("subnets").size()).isEqualTo(1);
    assertThat(c.get("/v2.0/networks?name=eni-net").body().get("networks").size()).isEqualTo(1);
  }

  @Test
  void subnetWithoutPoolsGetsTheCidrMinusGatewayAndBroadcast() {
    String s = c.subnet(net, "10.30.0.0/24", null, null);
    JsonNode pool = c.get("/v2.0/subnets/" + s).body().get("subnet").get("allocation_pools").get(0);
    assertThat(pool.get("start").asString()).isEqualTo("10.30.0.2");
    assertThat(pool.get("end").asString()).isEqualTo("10.30.0.254");
  }

  @Test
  void createPortAllocatesFromThePoolWithANeutronMac() {
    JsonNode p =
        c.port(
            "{\"port\":{\"network_id\":\""
                + net
                + "\",\"name\":\"eni-0\",\"device_owner\":\"compute:kube-node\","
                + "\"device_id\":\"vm-node-1\",\"binding:host_id\":\"compute-1\",\"fixed_ips\":[{\"subnet_id\":\""
                + subnet
                + "\"}]}}");
    assertThat(p.get("mac_address").asString())
        .matches("fa:16:3e:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}");
    assertThat(p.get("status").asString()).isEqualTo("DOWN");
    assertThat(p.get("binding:host_id").asString()).isEqualTo("compute-1");
    assertThat(p.get("revision_number").asLong()).isZero();
    assertThat(p.get("created_at").asString())
        .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
    String ip = p.get("fixed_ips").get(0).get("ip_address").asString();
    assertThat(ip).startsWith("10.10.1.");
    int last = Integer.parseInt(ip.substring("10.10.1.".length()));
    assertThat(last).isBetween(10, 250);
  }

  @Test
  void portWithoutFixedIpsGetsOneFromTheNetwork() {
    JsonNode p = c.port("{\"port\":{\"network_id\":\"" + net + "\"}}");
    assertThat(p.get("fixed_ips").size()).isEqualTo(1);
    assertThat(p.get("fixed_ips").get(0).get("subnet_id").asString()).isEqualTo(subnet);
  }

  @Test
  void fixedIpsAreReplacedAsAWholeList() {
    JsonNode p = c.portOn(net, subnet);
    String id = p.get("id").asString();
    String first = p.get("fixed_ips").get(0).get("ip_address").asString();
    Reply r =
        c.put(
            "/v2.0/ports/" + id,
            "{\"port\":{\"fixed_ips\":[{\"subnet_id\":\""
                + subnet
                + "\",\"ip_address\":\""
                + first
                + "\"},"
                + "{\"subnet_id\":\""
                + subnet
                + "\"},{\"subnet_id\":\""
                + subnet
                + "\",\"ip_address\":\"10.10.7.7\"}]}}");
    Client.check(r, 200);
    List<String> ips = ips(r.body().get("port"));
    assertThat(ips).hasSize(3).contains(first, "10.10.7.7");

    r =
        c.put(
            "/v2.0/ports/" + id, "{\"port\":{\"fixed_ips\":[{\"ip_address\":\"" + first + "\"}]}}");
    Client.check(r, 200);
    assertThat(ips(r.body().get("port"))).containsExactly(first);
    // the released address is free again
    JsonNode other =
        c.port(
            "{\"port\":{\"network_id\":\""
                + net
                + "\",\"fixed_ips\":[{\"ip_address\":\"10.10.7.7\"}]}}");
    assertThat(ips(other)).containsExactly("10.10.7.7");
  }

  @Test
  void takenAddressIs409IpAddressAlreadyAllocated() {
    JsonNode p = c.portOn(net, subnet);
    String ip = p.get("fixed_ips").get(0).get("ip_address").asString();
    Reply r =
        c.post(
            "/v2.0/ports",
            "{\"port\":{\"network_id\":\""
                + net
                + "\",\"fixed_ips\":[{\"subnet_id\":\""
                + subnet
                + "\",\"ip_address\":\""
                + ip
                + "\"}]}}");
    assertThat(r.status()).isEqualTo(409);
    assertThat(r.errorType()).isEqualTo("IpAddressAlreadyAllocated");
    assertThat(r.body().get("NeutronError").get("detail").asString()).isEmpty();
  }

  @Test
  void exhaustedPoolIs409IpAddressGenerationFailure() {
    String small = c.subnet(net, "10.40.0.0/24", "10.40.0.10", "10.40.0.11");
    c.portOn(net, small);
    c.portOn(net, small);
    Reply r =
        c.post(
            "/v2.0/ports",
            "{\"port\":{\"network_id\":\""
                + net
                + "\",\"fixed_ips\":[{\"subnet_id\":\""
                + small
                + "\"}]}}");
    assertThat(r.status()).isEqualTo(409);
    assertThat(r.errorType()).isEqualTo("IpAddressGenerationFailure");
    JsonNode avail =
        c.get("/v2.0/network-ip-availabilities/" + net).body().get("network_ip_availability");
    JsonNode sub = null;
    for (JsonNode s : avail.get("subnet_ip_availability")) {
      if (s.get("subnet_id").asString().equals(small)) {
        sub = s;
      }
    }
    assertThat(sub.get("total_ips").asLong()).isEqualTo(2);
    assertThat(sub.get("used_ips").asLong()).isEqualTo(2);
  }

  @Test
  void addressInsideCidrButOutsidePoolsIsAcceptedAndOutsideCidrIsNot() {
    JsonNode p =
        c.port(
            "{\"port\":{\"network_id\":\""
                + net
                + "\",\"fixed_ips\":[{\"subnet_id\":\""
                + subnet
                + "\",\"ip_address\":\"10.10.200.1\"}]}}");
    assertThat(ips(p)).containsExactly("10.10.200.1");
    Reply r =
        c.post(
            "/v2.0/ports",
            "{\"port\":{\"network_id\":\""
                + net
                + "\",\"fixed_ips\":[{\"subnet_id\":\""
                + subnet
                + "\",\"ip_address\":\"10.99.0.1\"}]}}");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.errorType()).isEqualTo("InvalidIpForSubnet");
  }

  @Test
  void allowedAddressPairsDefaultToThePortMac() {
    JsonNode p = c.portOn(net, subnet);
    Reply r =
        c.put(
            "/v2.0/ports/" + p.get("id").asString(),
            "{\"port\":{\"allowed_address_pairs\":[{\"ip_address\":\"10.10.50.0/24\"},{\"ip_address\":\"10.10.60.5\",\"mac_address\":\"fa:16:3e:00:00:01\"}]}}");
    Client.check(r, 200);
    JsonNode pairs = r.body().get("port").get("allowed_address_pairs");
    assertThat(pairs.get(0).get("mac_address").asString())
        .isEqualTo(p.get("mac_address").asString());
    assertThat(pairs.get(1).get("mac_address").asString()).isEqualTo("fa:16:3e:00:00:01");
  }

  @Test
  void readOnlyAndUnknownAttributesAre400() {
    String id = c.portOn(net, subnet).get("id").asString();
    Reply r = c.put("/v2.0/ports/" + id, "{\"port\":{\"status\":\"ACTIVE\"}}");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.body().get("NeutronError").get("message").asString())
        .isEqualTo("Cannot update read-only attribute status");
    r = c.put("/v2.0/ports/" + id, "{\"port\":{\"colour\":\"blue\"}}");
    assertThat(r.status()).isEqualTo(400);
    r = c.put("/v2.0/ports/" + id, "{not json");
    assertThat(r.status()).isEqualTo(400);
  }

  @Test
  void missingPortIs404PortNotFoundAndDeleteIs204() {
    Reply r = c.get("/v2.0/ports/nope");
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.errorType()).isEqualTo("PortNotFound");
    assertThat(r.body().get("NeutronError").get("message").asString())
        .isEqualTo("Port nope could not be found.");
    String id = c.portOn(net, subnet).get("id").asString();
    assertThat(c.delete("/v2.0/ports/" + id).status()).isEqualTo(204);
    assertThat(c.delete("/v2.0/ports/" + id).status()).isEqualTo(404);
    assertThat(c.get("/v2.0/ports").body().get("ports").size()).isZero();
  }

  @Test
  void listFiltersSelectPortsAndFieldsSelectAttributes() {
    JsonNode a =
        c.port(
            "{\"port\":{\"network_id\":\""
                + net
                + "\",\"device_owner\":\"compute:kube-node\",\"device_id\":\"vm-1\",\"binding:host_id\":\"h1\"}}");
    JsonNode b = c.port("{\"port\":{\"network_id\":\"" + net + "\",\"device_id\":\"vm-2\"}}");
    String aId = a.get("id").asString();
    assertThat(ids(c.get("/v2.0/ports?device_owner=compute:kube-node"))).containsExactly(aId);
    assertThat(ids(c.get("/v2.0/ports?device_id=vm-1&device_id=vm-2"))).hasSize(2);
    assertThat(ids(c.get("/v2.0/ports?id=" + aId))).containsExactly(aId);
    assertThat(ids(c.get("/v2.0/ports?network_id=" + net))).hasSize(2);
    assertThat(ids(c.get("/v2.0/ports?mac_address=" + a.get("mac_address").asString())))
        .containsExactly(aId);
    assertThat(ids(c.get("/v2.0/ports?binding%3Ahost_id=h1"))).containsExactly(aId);
    String ip = b.get("fixed_ips").get(0).get("ip_address").asString();
    assertThat(ids(c.get("/v2.0/ports?fixed_ips=ip_address%3D" + ip)))
        .containsExactly(b.get("id").asString());
    assertThat(ids(c.get("/v2.0/ports?fixed_ips=subnet_id%3D" + subnet))).hasSize(2);

    JsonNode only =
        c.get("/v2.0/ports?id=" + aId + "&fields=id&fields=tags").body().get("ports").get(0);
    assertThat(only.propertyNames()).containsExactlyInAnyOrder("id", "tags");
    JsonNode one = c.get("/v2.0/ports/" + aId + "?fields=mac_address").body().get("port");
    assertThat(one.propertyNames()).containsExactly("mac_address");

    Reply bad = c.get("/v2.0/ports?colour=blue");
    assertThat(bad.status()).isEqualTo(400);
  }

  @Test
  void bulkCreateMakesAllOrNothing() {
    Reply r =
        c.post(
            "/v2.0/ports",
            "{\"ports\":[{\"network_id\":\""
                + net
                + "\"},{\"network_id\":\""
                + net
                + "\",\"fixed_ips\":[{\"ip_address\":\"10.99.9.9\"}]}]}");
    assertThat(r.status()).isEqualTo(400);
    assertThat(c.get("/v2.0/ports").body().get("ports").size()).isZero();
    r =
        c.post(
            "/v2.0/ports",
            "{\"ports\":[{\"network_id\":\"" + net + "\"},{\"network_id\":\"" + net + "\"}]}");
    assertThat(r.status()).isEqualTo(201);
    assertThat(r.body().get("ports").size()).isEqualTo(2);
  }

  @Test
  void networkWithPortsIs409NetworkInUse() {
    c.portOn(net, subnet);
    Reply r = c.delete("/v2.0/networks/" + net);
    assertThat(r.status()).isEqualTo(409);
    assertThat(r.errorType()).isEqualTo("NetworkInUse");
  }

  @Test
  void unknownNetworkIs404NetworkNotFound() {
    Reply r = c.post("/v2.0/ports", "{\"port\":{\"network_id\":\"nope\"}}");
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.errorType()).isEqualTo("NetworkNotFound");
  }

  static List<String> ips(JsonNode port) {
    List<String> out = new ArrayList<>();
    port.get("fixed_ips").forEach(f -> out.add(f.get("ip_address").asString()));
    return out;
  }

  static List<String> ids(Reply r) {
    Client.check(r, 200);
    List<String> out = new ArrayList<>();
    r.body().get("ports").forEach(p -> out.add(p.get("id").asString()));
    return out;
  }
}
