package io.vpccni.agent.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.testkit.vpc.Cmd;
import io.vpccni.testkit.vpc.StandInVpc;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * SNAT with real packets. A stand-in VPC (10.0.0.0/8; the node's primary interface eth0 has
 * 10.0.0.11, its ENI 10.1.1.0/24) plus an "internet" namespace, 198.51.100.10 and .200 (TEST-NET-2,
 * only inside these namespaces), behind the VPC fabric. The fabric checks sources as a VPC does
 * (strict reverse-path filtering on every port: a packet from the node's address must come from the
 * primary interface, a pod's from its ENI), and the node filters strictly on eth0 too. A pod is
 * added through the real CNI binary; TCP servers report the source address they see.
 */
@Tag("netns")
class PrivilegedSnatNodeTest {
  static final String INTERNET = "198.51.100.10";
  static final String INTERNET_NO_SNAT = "198.51.100.200";
  static final String SNAT_ON =
      ",\"snat\":{\"enabled\":true,\"vpcCidrs\":[\"10.0.0.0/8\"],"
          + "\"nonSnatCidrs\":[\"198.51.100.128/25\"]}";

  /** Wires namespace {@code <prefix>-inet} to the fabric, as the VPC's internet gateway. */
  static String internet(NodeHarness h) throws java.io.IOException {
    String inet = h.podNs("inet");
    String fabric = h.vpc.fabricNetns();
    Cmd.ok(
        "ip", "-n", fabric, "link", "add", "f-inet", "type", "veth", "peer", "name", "eth0",
        "netns", inet);
    Cmd.ok("ip", "-n", inet, "addr", "add", INTERNET + "/24", "dev", "eth0");
    Cmd.ok("ip", "-n", inet, "addr", "add", INTERNET_NO_SNAT + "/24", "dev", "eth0");
    Cmd.ok("ip", "-n", inet, "link", "set", "eth0", "up");
    Cmd.ok(
        "ip",
        "-n",
        inet,
        "route",
        "add",
        "10.0.0.0/8",
        "via",
        "198.51.100.1",
        "dev",
        "eth0",
        "onlink");
    Cmd.ok("ip", "-n", fabric, "addr", "add", "198.51.100.1/32", "dev", "lo");
    Cmd.ok("ip", "-n", fabric, "link", "set", "f-inet", "up");
    sysctl(fabric, "net/ipv4/conf/f-inet/proxy_arp", "1");
    Cmd.ok("ip", "-n", fabric, "route", "add", "198.51.100.0/24", "dev", "f-inet");
    sourceCheck(h);
    // and a node that filters strictly on its primary interface
    sysctl(h.node.netns(), "net/ipv4/conf/all/rp_filter", "0");
    sysctl(h.node.netns(), "net/ipv4/conf/eth0/rp_filter", "1");
    return inet;
  }

  /**
   * The VPC's source check in the fabric: a packet must come in by the port its source address is
   * routed to (IP only: the fabric's ARP proxy answers whatever sender address a node's ARP
   * carries). A packet with the node's address leaving an ENI, or a pod's leaving the primary
   * interface, is dropped, as a real VPC drops it.
   */
  static void sourceCheck(NodeHarness h) throws java.io.IOException {
    java.nio.file.Path check = h.work.resolve("source-check.nft");
    java.nio.file.Files.writeString(
        check,
        "table ip source_check {\n chain pre {\n  type filter hook prerouting priority -300;\n"
            + "  fib saddr . iif oif missing counter drop\n }\n}\n");
    Cmd.ok("ip", "netns", "exec", h.vpc.fabricNetns(), "nft", "-f", check.toString());
  }

  static void sysctl(String ns, String key, String value) {
    Cmd.ok("ip", "netns", "exec", ns, "sh", "-c", "echo " + value + " > /proc/sys/" + key);
  }

  static String diag(NodeHarness h, String inet) {
    StringBuilder sb = new StringBuilder();
    sb.append(
        Cmd.run(
                java.util.List.of(
                    "ip", "netns", "exec", h.vpc.fabricNetns(), "nft", "list", "ruleset"),
                10)
            .stdout());
    for (String ns : java.util.List.of(h.node.netns(), h.vpc.fabricNetns(), inet)) {
      sb.append("== ").append(ns).append('\n');
      sb.append(Cmd.run(java.util.List.of("ip", "netns", "exec", ns, "nstat", "-as"), 10).stdout());
      sb.append(Cmd.run(java.util.List.of("ip", "-n", ns, "-s", "link"), 10).stdout());
      sb.append(Cmd.run(java.util.List.of("ip", "-n", ns, "route"), 10).stdout());
    }
    return sb.toString();
  }

  static String nft(NodeHarness h) {
    return Cmd.run(
            java.util.List.of(
                "ip", "netns", "exec", h.node.netns(), "nft", "list", "table", "ip", "vpccni_nat"),
            10)
        .stdout();
  }

  @SuppressWarnings("try") // the listeners only need to live as long as the block
  @Test
  void podTrafficLeavingTheVpcGetsTheNodeAddressAndTheVpcNeverDoes() throws Exception {
    NodeHarness.assumePrivileged();
    NodeHarness.binary();
    try (NodeHarness h = new NodeHarness(1, 4)) {
      String inet = internet(h);
      String pod = h.podNs("a");
      h.extraConfig = SNAT_ON;
      h.startAgent(Map.of());
      String podIp = h.add("a", pod).ip();
      String nodeIp = h.node.ip();
      try (PeerAddress web = PeerAddress.serve(inet, "web", INTERNET, 8080);
          PeerAddress noSnat = PeerAddress.serve(inet, "direct", INTERNET_NO_SNAT, 8080);
          PeerAddress vpcHost =
              PeerAddress.serve(h.vpc.hostNetns(), "host", StandInVpc.HOST_IP, 8080)) {
        assertThat(PeerAddress.tryTcp(pod, INTERNET, 8080))
            .as("pod → internet, SNAT on\n%s%s", h.nodeText(), nft(h))
            .isEqualTo("web " + nodeIp);
        assertThat(PeerAddress.tryTcp(pod, INTERNET_NO_SNAT, 8080))
            .as("pod → a nonSnatCidrs address\n%s", diag(h, inet))
            .isEqualTo("direct " + podIp);
        assertThat(PeerAddress.tryTcp(pod, StandInVpc.HOST_IP, 8080))
            .as("pod → VPC host")
            .isEqualTo("host " + podIp);
        assertThat(Cmd.ok("ip", "-n", h.node.netns(), "rule"))
            .contains("1024:\tfrom all fwmark 0x80/0x80 lookup main");
        assertThat(
                Cmd.ok(
                    "ip",
                    "netns",
                    "exec",
                    h.node.netns(),
                    "cat",
                    "/proc/sys/net/ipv4/conf/eth0/src_valid_mark"))
            .isEqualTo("1\n");

        // A stopped agent leaves the rules in force; its successor replaces them in one go.
        h.agent.close();
        assertThat(nft(h)).contains("snat to " + nodeIp);
        assertThat(PeerAddress.tryTcp(pod, INTERNET, 8080)).isEqualTo("web " + nodeIp);
        h.startAgent(Map.of());
        assertThat(PeerAddress.tryTcp(pod, INTERNET, 8080)).isEqualTo("web " + nodeIp);
        assertThat(Cmd.ok("ip", "-n", h.node.netns(), "rule").split("fwmark", -1)).hasSize(2);

        // A new primary address is picked up by the periodic sync (every 10 s).
        String newIp = "10.0.0.31";
        Cmd.ok("ip", "-n", h.vpc.fabricNetns(), "route", "add", newIp + "/32", "dev", "f-n1");
        Cmd.ok("ip", "-n", h.node.netns(), "addr", "del", nodeIp + "/24", "dev", "eth0");
        Cmd.ok("ip", "-n", h.node.netns(), "addr", "add", newIp + "/24", "dev", "eth0");
        Cmd.ok(
            "ip",
            "-n",
            h.node.netns(),
            "route",
            "replace",
            "default",
            "via",
            StandInVpc.PRIMARY_GATEWAY,
            "dev",
            "eth0");
        String seen = "";
        long deadline = System.nanoTime() + 25_000_000_000L;
        while (System.nanoTime() < deadline && !seen.equals("web " + newIp)) {
          Thread.sleep(500);
          seen = PeerAddress.tryTcp(pod, INTERNET, 8080);
        }
        assertThat(seen)
            .as("after the node's address changed\n%s", nft(h))
            .isEqualTo("web " + newIp);

        // Another mark bit: the next agent's rule replaces the old one.
        h.agent.close();
        h.extraConfig = SNAT_ON.replace("}", ",\"mark\":256}");
        h.startAgent(Map.of());
        assertThat(Cmd.ok("ip", "-n", h.node.netns(), "rule"))
            .contains("1024:\tfrom all fwmark 0x100/0x100 lookup main")
            .doesNotContain("0x80");
        assertThat(PeerAddress.tryTcp(pod, INTERNET, 8080)).isEqualTo("web " + newIp);

        // SNAT turned off: the next agent's table has no SNAT left (the NodePort return path
        // stays); pods keep their address.
        h.agent.close();
        h.extraConfig = "";
        h.startAgent(Map.of());
        assertThat(nft(h)).doesNotContain("snat to").contains("fib daddr type local");
        assertThat(PeerAddress.tryTcp(pod, INTERNET, 8080)).isEqualTo("web " + podIp);
      }
      h.del("a", pod);
    }
  }
}
