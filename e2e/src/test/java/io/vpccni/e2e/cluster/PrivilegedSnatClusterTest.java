package io.vpccni.e2e.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.agentapi.JsonObject;
import io.vpccni.cli.local.LocalCluster;
import io.vpccni.testkit.vpc.Cmd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * SNAT on the local cluster with real packets through the real CNI binary: node1's agent runs with
 * {@code snat.enabled}, node2's with SNAT off (the default). A host outside the VPC, namespace
 * {@code <prefix>-outside} with 203.0.113.10 and 203.0.113.200 (TEST-NET-3, never the VPC's
 * 10.0.0.0/16), hangs off the emulator's fabric as the VPC's internet gateway would: a veth from
 * the fabric, which routes 203.0.113.0/24 to it; the outside host routes only the VPC's CIDR back.
 * The fabric checks sources as a VPC does (a packet must come in by the port its source is routed
 * to), and each node filters strictly on its primary interface. Listeners answer with the source
 * address they saw. Everything is in namespaces with the cluster's per-run prefix, removed in
 * finally; nothing is connected to the host's interfaces and no namespace routes out.
 */
@Tag("e2e")
class PrivilegedSnatClusterTest {
  static final String OUTSIDE = "203.0.113.10";
  static final String OUTSIDE_NO_SNAT = "203.0.113.200";
  static final String OUTSIDE_GATEWAY = "203.0.113.1";
  static final String SNAT_ON =
      "{\"enabled\":true,\"vpcCidrs\":[\"10.0.0.0/16\"],\"nonSnatCidrs\":[\"203.0.113.128/25\"]}";
  static final int PORT = 8080;
  static final int TIMEOUT_MS = 2000;

  @Test
  void podTrafficLeavesTheVpcWithTheNodeAddressOnlyWhereSnatIsOnAndNeverInsideTheVpc()
      throws Exception {
    LocalCluster cluster = LocalClusters.create("snat");
    long t0 = System.nanoTime();
    JsonObject d =
        cluster.up(
            new LocalCluster.Options(2, "c5.xlarge", 2, 3, 5, 30, 60).withSnat(Map.of(1, SNAT_ON)),
            msg -> {});
    long upMs = ms(t0);
    String prefix = d.string("prefix");
    String outsideNs = prefix + "-outside";
    List<PodNet> endpoints = new ArrayList<>();
    try {
      outside(prefix, outsideNs);
      for (JsonObject n : d.objects("nodes")) {
        strictOnPrimary(n.string("netns"));
      }
      long t1 = System.nanoTime();
      String ipA = LocalClusterSupport.addWithRetry(cluster, "a", 1);
      String ipB = LocalClusterSupport.addWithRetry(cluster, "b", 2);
      long podsMs = ms(t1);
      long t2 = System.nanoTime();
      PodNet a = open(endpoints, new PodNet("a", cluster.podNetns("default", "a"), ipA));
      PodNet b = open(endpoints, new PodNet("b", cluster.podNetns("default", "b"), ipB));
      open(endpoints, new PodNet("outside", outsideNs, OUTSIDE)).reportPeer(PORT);
      b.reportPeer(PORT);
      JsonObject host = d.object("vpcHost");
      open(endpoints, new PodNet("host", host.string("netns"), host.string("ip"))).reportPeer(PORT);
      String node1 = d.objects("nodes").get(0).string("ip");

      // node1, SNAT on: leaving the VPC with node1's address, and the replies come back
      assertThat(ask(a, OUTSIDE, false))
          .as("pod a (node1, SNAT on) → outside over TCP\n%s", diag(prefix, d))
          .isEqualTo("outside " + node1);
      assertThat(ask(a, OUTSIDE, true))
          .as("pod a → outside over UDP\n%s", diag(prefix, d))
          .isEqualTo("outside " + node1);
      // inside the VPC and to nonSnatCidrs: the pod's own address
      assertThat(ask(a, ipB, false)).as("pod a → pod b on node2").isEqualTo("b " + ipA);
      assertThat(ask(a, host.string("ip"), false))
          .as("pod a → the VPC host")
          .isEqualTo("host " + ipA);
      assertThat(ask(a, OUTSIDE_NO_SNAT, false))
          .as("pod a → a nonSnatCidrs address\n%s", diag(prefix, d))
          .isEqualTo("outside " + ipA);
      // node2, SNAT off: the pod's own address to the outside
      assertThat(ask(b, OUTSIDE, false))
          .as("pod b (node2, SNAT off) → outside over TCP\n%s", diag(prefix, d))
          .isEqualTo("outside " + ipB);
      assertThat(ask(b, OUTSIDE, true)).as("pod b → outside over UDP").isEqualTo("outside " + ipB);
      System.out.printf(
          "SNAT e2e: cluster up %d ms, 2 pods %d ms, 7 probes %d ms%n", upMs, podsMs, ms(t2));
      assertThat(sourceCheckDrops(prefix)).as("packets the fabric's source check dropped").isZero();
      endpoints.forEach(PodNet::close);
      endpoints.clear();
      cluster.pod("DEL", "a", 1);
      cluster.pod("DEL", "b", 2);
    } finally {
      endpoints.forEach(PodNet::close);
      Cmd.quiet("ip", "netns", "del", outsideNs);
      cluster.down(msg -> {});
    }
  }

  /**
   * The host outside the VPC: namespace {@code ns} behind veth {@code <prefix>-out} of the fabric
   * (203.0.113.1/24, the VPC's side of its internet gateway), with a route to the VPC's CIDR only;
   * and the VPC's source check in the fabric.
   */
  static void outside(String prefix, String ns) throws Exception {
    String fabric = prefix + "-fabric";
    String gw = prefix + "-out";
    String wan = prefix + "-wan";
    Cmd.ok("ip", "netns", "add", ns);
    Cmd.ok("ip", "-n", ns, "link", "set", "lo", "up");
    // created in the fabric, its peer moved straight into ns: never in the root namespace
    Cmd.ok("ip", "-n", fabric, "link", "add", gw, "type", "veth", "peer", "name", wan, "netns", ns);
    Cmd.ok("ip", "-n", fabric, "addr", "add", OUTSIDE_GATEWAY + "/24", "dev", gw);
    Cmd.ok("ip", "-n", fabric, "link", "set", gw, "up");
    Cmd.ok("ip", "-n", ns, "addr", "add", OUTSIDE + "/24", "dev", wan);
    Cmd.ok("ip", "-n", ns, "addr", "add", OUTSIDE_NO_SNAT + "/24", "dev", wan);
    Cmd.ok("ip", "-n", ns, "link", "set", wan, "up");
    Cmd.ok("ip", "-n", ns, "route", "add", "10.0.0.0/16", "via", OUTSIDE_GATEWAY, "dev", wan);
    // The VPC drops a packet whose source is not an address of the port it comes from: the node's
    // address through an ENI, or a pod's through the primary interface.
    Path script = Files.createTempFile("source-check", ".nft");
    try {
      Files.writeString(
          script,
          "table ip source_check {\n chain pre {\n  type filter hook prerouting priority -300;\n"
              + "  fib saddr . iif oif missing counter drop\n }\n}\n");
      Cmd.ok("ip", "netns", "exec", fabric, "nft", "-f", script.toString());
    } finally {
      Files.deleteIfExists(script);
    }
  }

  /** Strict reverse-path filtering on the node's primary interface, as a hardened node has. */
  static void strictOnPrimary(String nodeNs) {
    Cmd.ok("ip", "netns", "exec", nodeNs, "sysctl", "-q", "-w", "net.ipv4.conf.all.rp_filter=0");
    Cmd.ok("ip", "netns", "exec", nodeNs, "sysctl", "-q", "-w", "net.ipv4.conf.eth0.rp_filter=1");
  }

  /**
   * Asks a {@link PodNet#reportPeer} listener; retried while nothing answers (at most 5 tries of at
   * most 4 s each), so a first ARP exchange cannot fail a case, but the first answer is the one
   * checked.
   */
  static String ask(PodNet from, String ip, boolean udp) throws Exception {
    String answer = "";
    for (int i = 0; i < 5; i++) {
      answer = udp ? from.askUdp(ip, PORT, TIMEOUT_MS) : from.askTcp(ip, PORT, TIMEOUT_MS);
      if (!answer.startsWith("failed")) {
        return answer;
      }
    }
    return answer;
  }

  static long sourceCheckDrops(String prefix) {
    String rules =
        Cmd.ok(
            "ip",
            "netns",
            "exec",
            prefix + "-fabric",
            "nft",
            "list",
            "table",
            "ip",
            "source_check");
    var m = java.util.regex.Pattern.compile("counter packets (\\d+)").matcher(rules);
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }

  /** What a failed case needs: each node's NAT table, rules and routes, the fabric's drops. */
  static String diag(String prefix, JsonObject d) {
    StringBuilder sb = new StringBuilder();
    for (JsonObject n : d.objects("nodes")) {
      String ns = n.string("netns");
      sb.append("== ").append(ns).append('\n');
      sb.append(
          Cmd.run(
                  List.of("ip", "netns", "exec", ns, "nft", "list", "table", "ip", "vpccni_nat"),
                  10)
              .stdout());
      sb.append(Cmd.run(List.of("ip", "-n", ns, "rule"), 10).stdout());
      sb.append(Cmd.run(List.of("ip", "-n", ns, "route"), 10).stdout());
    }
    sb.append("== fabric\n");
    sb.append(
        Cmd.run(List.of("ip", "netns", "exec", prefix + "-fabric", "nft", "list", "ruleset"), 10)
            .stdout());
    return sb.toString();
  }

  private static PodNet open(List<PodNet> endpoints, PodNet p) {
    endpoints.add(p);
    return p;
  }

  private static long ms(long since) {
    return (System.nanoTime() - since) / 1_000_000;
  }
}
