package io.vpccni.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.emulator.Client.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Instances (admin API), Compute's os-interface attach/detach with quotas, and GET server. */
class ComputeInterfaceTest {
  private VpcEmulator emulator;
  private Client c;
  private String net;
  private String subnet;
  private String vm;

  @BeforeEach
  void start() {
    emulator = VpcEmulator.start(VpcEmulator.Options.defaults().withUpdateWindowMillis(0));
    c = new Client(emulator.baseUrl());
    net = c.network("vpc");
    subnet = c.subnet(net, "10.10.0.0/16", null, null);
    vm = c.instance("node-1", "m5.large", subnet);
  }

  @AfterEach
  void stop() {
    emulator.close();
  }

  @Test
  void instanceHasAPrimaryEniAtDeviceIndexZero() {
    JsonNode i = c.get("/emulator/instances/" + vm).body().get("instance");
    assertThat(i.get("max_enis").asInt()).isEqualTo(3);
    assertThat(i.get("ips_per_eni").asInt()).isEqualTo(10);
    String primary = i.get("primary_port_id").asString();
    assertThat(i.get("interfaces").get("0").asString()).isEqualTo(primary);
    JsonNode p = c.get("/v2.0/ports/" + primary).body().get("port");
    assertThat(p.get("device_id").asString()).isEqualTo(vm);
    assertThat(p.get("device_owner").asString()).isEqualTo("compute:nova");
    assertThat(p.get("status").asString()).isEqualTo("ACTIVE");
    JsonNode types = c.get("/emulator/instance-types").body().get("instance_types");
    assertThat(types.toString()).contains("\"c5.xlarge\"", "\"max_enis\":4", "\"ips_per_eni\":15");
  }

  @Test
  void attachSetsDeviceAndEnforcesTheEniQuota() {
    String p1 = c.portOn(net, subnet).get("id").asString();
    String p2 = c.portOn(net, subnet).get("id").asString();
    String p3 = c.portOn(net, subnet).get("id").asString();

    Reply a = attach(p1);
    assertThat(a.status()).isEqualTo(200);
    JsonNode att = a.body().get("interfaceAttachment");
    assertThat(att.get("port_id").asString()).isEqualTo(p1);
    assertThat(att.get("net_id").asString()).isEqualTo(net);
    assertThat(att.get("mac_addr").asString()).startsWith("fa:16:3e:");
    assertThat(att.get("port_state").asString()).isEqualTo("ACTIVE");
    assertThat(att.get("vpc:device_index").asInt()).isEqualTo(1);
    JsonNode port = c.get("/v2.0/ports/" + p1).body().get("port");
    assertThat(port.get("device_id").asString()).isEqualTo(vm);
    assertThat(port.get("device_owner").asString()).isEqualTo("compute:nova");
    assertThat(port.get("binding:host_id").asString()).isEqualTo("node-1");

    assertThat(attach(p2).body().get("interfaceAttachment").get("vpc:device_index").asInt())
        .isEqualTo(2);
    Reply over = attach(p3);
    assertThat(over.status()).isEqualTo(403);
    assertThat(over.body().get("forbidden").get("code").asInt()).isEqualTo(403);

    assertThat(
            c.get("/v2.1/servers/" + vm + "/os-interface")
                .body()
                .get("interfaceAttachments")
                .size())
        .isEqualTo(3);
    assertThat(c.delete("/v2.1/servers/" + vm + "/os-interface/" + p1).status()).isEqualTo(202);
    JsonNode detached = c.get("/v2.0/ports/" + p1).body().get("port");
    assertThat(detached.get("device_id").asString()).isEmpty();
    assertThat(detached.get("status").asString()).isEqualTo("DOWN");
    assertThat(attach(p3).body().get("interfaceAttachment").get("vpc:device_index").asInt())
        .isEqualTo(1);
  }

  @Test
  void attachingAPortInUseIs409AndAMissingOneIs404() {
    String other = c.instance("node-2", "c5.xlarge", subnet);
    String p = c.portOn(net, subnet).get("id").asString();
    Client.check(attach(p), 200);
    Reply again =
        c.post(
            "/v2.1/servers/" + other + "/os-interface",
            "{\"interfaceAttachment\":{\"port_id\":\"" + p + "\"}}");
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.body().has("conflictingRequest")).isTrue();
    Reply missing = attach("nope");
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.body().get("itemNotFound").get("message").asString())
        .isEqualTo("Port id nope could not be found.");
    assertThat(c.get("/v2.1/servers/nope").status()).isEqualTo(404);
    assertThat(c.delete("/v2.1/servers/" + vm + "/os-interface/nope").status()).isEqualTo(404);
  }

  @Test
  void attachWithANetworkCreatesThePort() {
    Reply r =
        c.post(
            "/v2.1/servers/" + vm + "/os-interface",
            "{\"interfaceAttachment\":{\"net_id\":\"" + net + "\"}}");
    assertThat(r.status()).isEqualTo(200);
    String id = r.body().get("interfaceAttachment").get("port_id").asString();
    assertThat(c.get("/v2.0/ports/" + id).body().get("port").get("device_id").asString())
        .isEqualTo(vm);
  }

  @Test
  void secondaryAddressesAreLimitedByTheInstanceType() {
    String p = c.portOn(net, subnet).get("id").asString();
    Client.check(attach(p), 200);
    StringBuilder ips = new StringBuilder("[");
    for (int i = 0; i < 11; i++) {
      ips.append(i == 0 ? "" : ",").append("{\"subnet_id\":\"").append(subnet).append("\"}");
    }
    Reply r = c.put("/v2.0/ports/" + p, "{\"port\":{\"fixed_ips\":" + ips + "]}}");
    assertThat(r.status()).isEqualTo(409);
    assertThat(r.errorType()).isEqualTo("OverQuota");
    JsonNode avail =
        c.get("/v2.0/network-ip-availabilities/" + net).body().get("network_ip_availability");
    assertThat(avail.get("used_ips").asLong()).isEqualTo(2);
  }

  @Test
  void serverShowsFlavorAndAddresses() {
    JsonNode s = c.get("/v2.1/servers/" + vm).body().get("server");
    assertThat(s.get("flavor").get("original_name").asString()).isEqualTo("m5.large");
    assertThat(s.get("addresses").get("vpc").get(0).get("version").asInt()).isEqualTo(4);
    assertThat(s.get("addresses").get("vpc").get(0).get("OS-EXT-IPS-MAC:mac_addr").asString())
        .startsWith("fa:16:3e:");
  }

  @Test
  void attachOnAnExhaustedNetworkIs400AsInNova() {
    String small = c.network("small");
    c.subnet(small, "10.50.0.0/24", "10.50.0.10", "10.50.0.10");
    c.port("{\"port\":{\"network_id\":\"" + small + "\"}}");
    Reply r =
        c.post(
            "/v2.1/servers/" + vm + "/os-interface",
            "{\"interfaceAttachment\":{\"net_id\":\"" + small + "\"}}");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.body().has("badRequest")).isTrue();
  }

  @Test
  void instanceNamesAreCheckedAndUnique() {
    Reply dup =
        c.post(
            "/emulator/instances",
            "{\"instance\":{\"name\":\"node-1\",\"instance_type\":\"m5.large\",\"subnet_id\":\""
                + subnet
                + "\"}}");
    assertThat(dup.status()).isEqualTo(409);
    Reply bad =
        c.post(
            "/emulator/instances",
            "{\"instance\":{\"name\":\"../x\",\"instance_type\":\"m5.large\",\"subnet_id\":\""
                + subnet
                + "\"}}");
    assertThat(bad.status()).isEqualTo(400);
    Reply type =
        c.post(
            "/emulator/instances",
            "{\"instance\":{\"name\":\"n9\",\"instance_type\":\"x1.huge\",\"subnet_id\":\""
                + subnet
                + "\"}}");
    assertThat(type.status()).isEqualTo(400);
  }

  private Reply attach(String portId) {
    return c.post(
        "/v2.1/servers/" + vm + "/os-interface",
        "{\"interfaceAttachment\":{\"port_id\":\"" + portId + "\"}}");
  }
}
