package io.vpccni.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.emulator.Client.Reply;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** The VPC survives a restart through its state file. */
class StateTest {
  @TempDir Path dir;

  @Test
  void restartedEmulatorKeepsItsVpc() throws Exception {
    Path file = dir.resolve("vpc.json");
    String net;
    String subnet;
    String vm;
    JsonNode port;
    try (VpcEmulator first =
        VpcEmulator.start(VpcEmulator.Options.defaults().withStateFile(file))) {
      Client c = new Client(first.baseUrl());
      net = c.network("vpc");
      subnet = c.subnet(net, "10.10.0.0/24", null, null);
      vm = c.instance("node-1", "c5.xlarge", subnet);
      port = c.portOn(net, subnet);
      c.put("/v2.0/ports/" + port.get("id").asString() + "/tags/keep", null);
      Client.check(
          c.post(
              "/v2.1/servers/" + vm + "/os-interface",
              "{\"interfaceAttachment\":{\"port_id\":\"" + port.get("id").asString() + "\"}}"),
          200);
      Reply saved = c.post("/emulator/state/save", "{}");
      Client.check(saved, 200);
      assertThat(saved.body().get("path").asString()).isEqualTo(file.toString());
    }
    assertThat(Files.readString(file)).contains("\"formatVersion\"");

    try (VpcEmulator second =
        VpcEmulator.start(VpcEmulator.Options.defaults().withStateFile(file))) {
      Client c = new Client(second.baseUrl());
      String id = port.get("id").asString();
      JsonNode p = c.get("/v2.0/ports/" + id).body().get("port");
      assertThat(p.get("mac_address").asString()).isEqualTo(port.get("mac_address").asString());
      assertThat(p.get("fixed_ips")).isEqualTo(port.get("fixed_ips"));
      assertThat(p.get("tags").get(0).asString()).isEqualTo("keep");
      assertThat(p.get("device_id").asString()).isEqualTo(vm);
      assertThat(
              c.get("/v2.1/servers/" + vm + "/os-interface")
                  .body()
                  .get("interfaceAttachments")
                  .size())
          .isEqualTo(2);
      // address ownership came back too
      String ip = port.get("fixed_ips").get(0).get("ip_address").asString();
      Reply taken =
          c.post(
              "/v2.0/ports",
              "{\"port\":{\"network_id\":\""
                  + net
                  + "\",\"fixed_ips\":[{\"ip_address\":\""
                  + ip
                  + "\"}]}}");
      assertThat(taken.status()).isEqualTo(409);
      assertThat(taken.errorType()).isEqualTo("IpAddressAlreadyAllocated");
    }
  }

  @Test
  void loadReplacesTheCurrentVpc() throws Exception {
    Path file = dir.resolve("other.json");
    try (VpcEmulator e = VpcEmulator.start()) {
      Client c = new Client(e.baseUrl());
      c.network("kept");
      Client.check(c.post("/emulator/state/save", "{\"path\":\"" + file + "\"}"), 200);
      c.network("dropped");
      Client.check(c.post("/emulator/state/load", "{\"path\":\"" + file + "\"}"), 200);
      assertThat(c.get("/v2.0/networks").body().get("networks").size()).isEqualTo(1);
      assertThat(c.post("/emulator/state/save", "{}").status()).isEqualTo(400);
    }
  }
}
