package io.vpccni.agent.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.testkit.vpc.Cmd;
import io.vpccni.testkit.vpc.StandInVpc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Kubernetes Services through kube-proxy on a vpc-cni node, with real packets: the node namespace
 * gets a rule set of the shape kube-proxy's nftables mode writes (table {@code ip kube-proxy}: a
 * verdict map from ClusterIP . protocol . port to a chain per service, one chain per endpoint that
 * DNATs, NodePorts for the node's own addresses, and masquerading of marked connections in
 * postrouting: hairpin and NodePort traffic). Pods are added through the real CNI binary and answer
 * with the source address they see.
 */
@Tag("netns")
class PrivilegedServicesNodeTest {
  static final String SVC_B = "10.96.0.10";
  static final String SVC_HAIRPIN = "10.96.0.20";
  static final String SVC_HOST = "10.96.0.30";
  static final int NODE_PORT = 30080;
  static final int NODE_PORT_REMOTE = 30081;
  static final String MASQ = "0x4000";

  /** Our own rule set in the style of kube-proxy's nftables mode (written here, not copied). */
  static String kubeProxyRules(String a, String b, String host) {
    return "table ip kube-proxy {}\ndelete table ip kube-proxy\n"
        + "table ip kube-proxy {\n"
        + chain("mark-for-masquerade", "meta mark set meta mark or " + MASQ)
        + chain(
            "masquerading",
            "meta mark and " + MASQ + " == 0 return",
            "meta mark set meta mark xor " + MASQ,
            "masquerade fully-random")
        // one chain per endpoint: hairpin (the endpoint calling its own service) is masqueraded
        + endpoint("ep-b-tcp", b, "tcp")
        + endpoint("ep-b-udp", b, "udp")
        + endpoint("ep-a-tcp", a, "tcp")
        + endpoint("ep-host-tcp", host, "tcp")
        + chain("svc-b-tcp", "numgen random mod 1 vmap { 0 : goto ep-b-tcp }")
        + chain("svc-b-udp", "numgen random mod 1 vmap { 0 : goto ep-b-udp }")
        + chain("svc-hairpin-tcp", "numgen random mod 1 vmap { 0 : goto ep-a-tcp }")
        + chain("svc-host-tcp", "numgen random mod 1 vmap { 0 : goto ep-host-tcp }")
        // NodePort traffic is always masqueraded (externalTrafficPolicy: Cluster)
        + chain("ext-b-tcp", "jump mark-for-masquerade", "goto svc-b-tcp")
        + chain("ext-host-tcp", "jump mark-for-masquerade", "goto svc-host-tcp")
        + "  map service-ips {\n"
        + "    type ipv4_addr . inet_proto . inet_service : verdict\n"
        + "    elements = { "
        + SVC_B
        + " . tcp . 80 : goto svc-b-tcp, "
        + SVC_B
        + " . udp . 53 : goto svc-b-udp, "
        + SVC_HAIRPIN
        + " . tcp . 80 : goto svc-hairpin-tcp, "
        + SVC_HOST
        + " . tcp . 80 : goto svc-host-tcp }\n"
        + "  }\n"
        + "  map service-nodeports {\n"
        + "    type inet_proto . inet_service : verdict\n"
        + "    elements = { tcp . "
        + NODE_PORT
        + " : goto ext-b-tcp, tcp . "
        + NODE_PORT_REMOTE
        + " : goto ext-host-tcp }\n"
        + "  }\n"
        + chain("nodeports", "meta l4proto . th dport vmap @service-nodeports")
        + chain(
            "services",
            "ip daddr . meta l4proto . th dport vmap @service-ips",
            "fib daddr type local ip daddr != 127.0.0.0/8 jump nodeports")
        + chain(
            "nat-prerouting",
            "type nat hook prerouting priority dstnat; policy accept;",
            "jump services")
        + chain("nat-output", "type nat hook output priority -100; policy accept;", "jump services")
        + chain(
            "nat-postrouting",
            "type nat hook postrouting priority srcnat; policy accept;",
            "jump masquerading")
        + "}\n";
  }

  static String chain(String name, String... lines) {
    StringBuilder sb = new StringBuilder("  chain ").append(name).append(" {\n");
    for (String l : lines) {
      sb.append("    ").append(l).append('\n');
    }
    return sb.append("  }\n").toString();
  }

  static String endpoint(String name, String ip, String proto) {
    return chain(
        name,
        "ip saddr " + ip + " jump mark-for-masquerade",
        "meta l4proto " + proto + " dnat to " + ip + ":8080");
  }

  @SuppressWarnings("try") // the listeners only need to live as long as the block
  @Test
  void podsReachClusterIpsNodePortsAndThemselvesThroughKubeProxy() throws Exception {
    NodeHarness.assumePrivileged();
    NodeHarness.binary();
    try (NodeHarness h = new NodeHarness(1, 4)) {
      String nsA = h.podNs("a");
      String nsB = h.podNs("b");
      PrivilegedSnatNodeTest.sourceCheck(h);
      h.startAgent(Map.of());
      String a = h.add("a", nsA).ip();
      String b = h.add("b", nsB).ip();
      String nodeIp = h.node.ip();
      Path rules = h.work.resolve("kube-proxy.nft");
      Files.writeString(rules, kubeProxyRules(a, b, StandInVpc.HOST_IP));
      Cmd.ok("ip", "netns", "exec", h.node.netns(), "nft", "-f", rules.toString());
      try (PeerAddress podA = PeerAddress.serve(nsA, "a", a, 8080);
          PeerAddress podB = PeerAddress.serve(nsB, "b", b, 8080);
          PeerAddress host =
              PeerAddress.serve(h.vpc.hostNetns(), "host", StandInVpc.HOST_IP, 8080)) {
        assertThat(PeerAddress.tryTcp(nsA, SVC_B, 80))
            .as("pod A → ClusterIP (TCP) → pod B, which sees A's own address")
            .isEqualTo("b " + a);
        assertThat(PeerAddress.askUdp(nsA, SVC_B, 53))
            .as("pod A → ClusterIP (UDP) → pod B")
            .isEqualTo("b " + a);
        assertThat(PeerAddress.tryTcp(nsA, SVC_HOST, 80))
            .as("pod A → ClusterIP → an endpoint elsewhere in the VPC, through A's ENI")
            .isEqualTo("host " + a);
        assertThat(PeerAddress.tryTcp(nsA, nodeIp, NODE_PORT))
            .as("pod A → NodePort on the node's address → pod B, masqueraded")
            .isEqualTo("b " + nodeIp);
        assertThat(PeerAddress.tryTcp(nsA, SVC_HAIRPIN, 80))
            .as("hairpin: pod A → ClusterIP whose only endpoint is A, masqueraded")
            .isEqualTo("a " + nodeIp);
        assertThat(PeerAddress.tryTcp(nsA, nodeIp, NODE_PORT_REMOTE))
            .as(
                "pod A → NodePort → an endpoint on another host of the VPC, masqueraded by"
                    + " kube-proxy: it must leave through the primary interface")
            .isEqualTo("host " + nodeIp);
        assertThat(PeerAddress.tryTcp(h.vpc.hostNetns(), nodeIp, NODE_PORT))
            .as("VPC host → NodePort on the node → pod B, masqueraded")
            .isEqualTo("b " + nodeIp);

        // With SNAT on, the choice is made after DNAT: service traffic to endpoints in the VPC
        // keeps the pod's address, although ClusterIPs are outside the VPC's CIDR.
        h.agent.close();
        h.extraConfig = ",\"snat\":{\"enabled\":true,\"vpcCidrs\":[\"10.0.0.0/8\"]}";
        h.startAgent(Map.of());
        assertThat(PeerAddress.tryTcp(nsA, SVC_B, 80)).as("SNAT on: ClusterIP").isEqualTo("b " + a);
        assertThat(PeerAddress.tryTcp(nsA, SVC_HOST, 80))
            .as("SNAT on: ClusterIP → VPC endpoint")
            .isEqualTo("host " + a);
        assertThat(PeerAddress.tryTcp(nsA, SVC_HAIRPIN, 80))
            .as("SNAT on: hairpin")
            .isEqualTo("a " + nodeIp);
        assertThat(PeerAddress.tryTcp(h.vpc.hostNetns(), nodeIp, NODE_PORT))
            .as("SNAT on: VPC host → NodePort")
            .isEqualTo("b " + nodeIp);
      } finally {
        Cmd.quiet(
            "ip", "netns", "exec", h.node.netns(), "nft", "delete", "table", "ip", "kube-proxy");
      }
      h.del("a", nsA);
      h.del("b", nsB);
    }
  }
}
