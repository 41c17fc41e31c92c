package io.vpccni.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vpccni.netaddr.IpPrefix;
import io.vpccni.netaddr.MacAddress;
import io.vpccni.netlink.Addr;
import io.vpccni.netlink.Link;
import io.vpccni.netlink.Netlink;
import io.vpccni.netlink.Netns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The namespace data plane: an instance is a node namespace, an attached ENI a veth end with the
 * port's MAC, the fabric routes each address to its ENI; packets really flow between two nodes and
 * stop after detach. Needs root; touches only namespaces with a unique per-run prefix.
 */
@Tag("netns")
class PrivilegedDataPlaneTest {

  @Test
  void attachedEnisCarryPacketsBetweenNodesAndDetachCutsThem() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "needs root to create namespaces");
    assumeTrue(
        Files.isExecutable(Path.of("/usr/bin/ping")) || Files.isExecutable(Path.of("/bin/ping")),
        "needs ping");
    String prefix =
        "e" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xffffff));
    try (VpcEmulator e = VpcEmulator.start(VpcEmulator.Options.defaults().withDataPlane(prefix))) {
      Client c = new Client(e.baseUrl());
      String net = c.network("vpc");
      String subnet = c.subnet(net, "10.77.0.0/24", null, null);
      String a = c.instance("na", "m5.large", subnet);
      String b = c.instance("nb", "m5.large", subnet);
      String ipA = primaryIp(c, a);
      String ipB = primaryIp(c, b);
      String nsA = prefix + "-na";
      String nsB = prefix + "-nb";
      JsonNode portA = c.get("/v2.0/ports/" + primaryPort(c, a)).body().get("port");

      // the node sees its primary ENI as eth0 with the port's MAC; configure it as a node would
      up(nsA, "eth0", ipA + "/24");
      up(nsB, "eth0", ipB + "/24");
      try (Netns ns = Netns.open(Path.of("/run/netns", nsA));
          Netlink nl = Netlink.in(ns)) {
        assertThat(nl.link("eth0").mac())
            .isEqualTo(MacAddress.parse(portA.get("mac_address").asString()));
      }
      assertThat(ping(nsA, ipB)).isTrue();
      assertThat(ping(nsA, "10.77.0.1")).as("the fabric answers for the gateway").isTrue();

      // a secondary address added with PUT fixed_ips is routed to node b's ENI; removed, it is not
      String portB = primaryPort(c, b);
      JsonNode grown =
          c.put(
                  "/v2.0/ports/" + portB,
                  "{\"port\":{\"fixed_ips\":[{\"ip_address\":\""
                      + ipB
                      + "\"},{\"ip_address\":\"10.77.0.200\"}]}}")
              .body();
      assertThat(grown.toString()).contains("10.77.0.200");
      addr(nsB, "eth0", "10.77.0.200/32");
      assertThat(ping(nsA, "10.77.0.200")).isTrue();
      Client.check(
          c.put(
              "/v2.0/ports/" + portB,
              "{\"port\":{\"fixed_ips\":[{\"ip_address\":\"" + ipB + "\"}]}}"),
          200);
      assertThat(ping(nsA, "10.77.0.200")).isFalse();

      // a secondary ENI with a secondary address, attached to node b: reachable from a
      JsonNode eni = c.portOn(net, subnet);
      String eniId = eni.get("id").asString();
      Client.check(
          c.post(
              "/v2.1/servers/" + b + "/os-interface",
              "{\"interfaceAttachment\":{\"port_id\":\"" + eniId + "\"}}"),
          200);
      String eniIp = eni.get("fixed_ips").get(0).get("ip_address").asString();
      up(nsB, "eth1", eniIp + "/24");
      assertThat(ping(nsA, eniIp)).isTrue();

      Client.check(c.delete("/v2.1/servers/" + b + "/os-interface/" + eniId), 202);
      try (Netns ns = Netns.open(Path.of("/run/netns", nsB));
          Netlink nl = Netlink.in(ns)) {
        assertThat(nl.linkByName("eth1")).isEmpty();
      }
      assertThat(ping(nsA, eniIp)).isFalse();
      assertThat(c.get("/emulator/events").body().toString()).doesNotContain("dataplane.error");
    }
    assertThat(Files.exists(Path.of("/run/netns", prefix + "-fabric"))).isFalse();
    assertThat(Files.exists(Path.of("/run/netns", prefix + "-na"))).isFalse();
  }

  private static String primaryPort(Client c, String instance) {
    return c.get("/emulator/instances/" + instance)
        .body()
        .get("instance")
        .get("primary_port_id")
        .asString();
  }

  private static String primaryIp(Client c, String instance) {
    return c.get("/v2.0/ports/" + primaryPort(c, instance))
        .body()
        .get("port")
        .get("fixed_ips")
        .get(0)
        .get("ip_address")
        .asString();
  }

  private static void up(String ns, String dev, String cidr) {
    try (Netns n = Netns.open(Path.of("/run/netns", ns));
        Netlink nl = Netlink.in(n)) {
      Link l = nl.link(dev);
      nl.addrAdd(new Addr(l.index(), IpPrefix.parse(cidr)));
      nl.linkSetUp(l.index());
    }
  }

  private static void addr(String ns, String dev, String cidr) {
    try (Netns n = Netns.open(Path.of("/run/netns", ns));
        Netlink nl = Netlink.in(n)) {
      nl.addrAdd(new Addr(nl.link(dev).index(), IpPrefix.parse(cidr)));
    }
  }

  @Test
  void loadingStateRebuildsTheWire(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "needs root to create namespaces");
    String prefix =
        "e" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xffffff));
    Path file = dir.resolve("vpc.json");
    try (VpcEmulator e = VpcEmulator.start(VpcEmulator.Options.defaults().withDataPlane(prefix))) {
      Client c = new Client(e.baseUrl());
      String subnet = c.subnet(c.network("vpc"), "10.78.0.0/24", null, null);
      c.instance("keep", "c5.xlarge", subnet);
      Client.check(c.post("/emulator/state/save", "{\"path\":\"" + file + "\"}"), 200);
      c.instance("drop", "c5.xlarge", subnet);
      assertThat(Files.exists(Path.of("/run/netns", prefix + "-drop"))).isTrue();
      Client.check(c.post("/emulator/state/load", "{\"path\":\"" + file + "\"}"), 200);
      assertThat(Files.exists(Path.of("/run/netns", prefix + "-drop"))).isFalse();
      assertThat(Files.exists(Path.of("/run/netns", prefix + "-keep"))).isTrue();
      try (Netns ns = Netns.open(Path.of("/run/netns", prefix + "-keep"));
          Netlink nl = Netlink.in(ns)) {
        assertThat(nl.linkByName("eth0")).isPresent();
      }
    }
    assertThat(Files.exists(Path.of("/run/netns", prefix + "-keep"))).isFalse();
  }

  private static boolean ping(String ns, String ip) throws Exception {
    Process p =
        new ProcessBuilder(List.of("ip", "netns", "exec", ns, "ping", "-c1", "-W2", "-q", ip))
            .redirectErrorStream(true)
            .start();
    if (!p.waitFor(10, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return false;
    }
    return p.exitValue() == 0;
  }
}
