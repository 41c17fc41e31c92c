package io.vpccni.bench;

import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.vpccni.agent.policy.Nft;
import io.vpccni.agent.policy.NftRenderer;
import io.vpccni.agent.policy.PolicyCompiler;
import io.vpccni.agent.policy.PolicyPod;
import io.vpccni.agent.policy.Protocol;
import io.vpccni.netaddr.IpAddress;
import io.vpccni.netlink.Netns;
import io.vpccni.testkit.vpc.Cmd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * NetworkPolicy cost: how long a rule update takes (compile, render, one nft transaction) and what
 * pod-to-pod TCP throughput (iperf3) is with 0, 100 and 1000 policies selecting the server pod,
 * next to no policy table at all, and ({@link PolicyAgentPath}) how long the agent takes from a
 * change written to the API to the new verdict for real packets. Two pod namespaces wired to a node
 * namespace as the veth datapath wires them; 2000 other pods of the cluster feed the peer sets.
 * Writes {@code bench/results/policy.md}. Needs root; sends packets only inside its own namespaces.
 */
public final class PolicyBench {
  static final int OTHER_PODS = 2000;
  static final int UPDATES = 15;
  static final int IPERF_SECONDS = 4;

  private PolicyBench() {}

  record Row(String label, int policies, double compileMs, double applyMs, double gbps) {}

  public static void main(String[] args) throws Exception {
    Path root = Path.of(args.length > 0 ? args[0] : ".");
    String prefix = "vb" + Long.toString(new SecureRandom().nextLong() & 0xffffff, 36);
    String node = prefix + "-node";
    String server = prefix + "-srv";
    String client = prefix + "-cli";
    List<Row> rows = new ArrayList<>();
    List<PolicyAgentPath.Row> agentRows = List.of();
    Process iperfServer = null;
    try {
      for (String ns : List.of(node, server, client)) {
        Netns.create(ns);
      }
      Cmd.ok("ip", "netns", "exec", node, "sysctl", "-qw", "net.ipv4.ip_forward=1");
      wire(node, server, prefix + "-h1", "10.0.1.10", 1);
      wire(node, client, prefix + "-h2", "10.0.1.12", 2);
      iperfServer =
          new ProcessBuilder(
                  "ip", "netns", "exec", server, "iperf3", "-s", "-B", "10.0.1.10", "-p", "5201")
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      Thread.sleep(500);
      Nft nft = new Nft("nft", Optional.of(Netns.pathOf(node)));
      nft.delete();
      rows.add(new Row("no policy table", 0, 0, 0, iperf(client)));
      for (int n : new int[] {0, 100, 1000}) {
        rows.add(measure(nft, client, n));
      }
      nft.delete();
      try {
        agentRows = PolicyAgentPath.measure(nft, server, client, new int[] {0, 100, 1000});
      } finally {
        nft.delete();
      }
    } finally {
      if (iperfServer != null) {
        iperfServer.destroy();
      }
      for (String ns : List.of(client, server, node)) {
        try {
          Netns.delete(ns);
        } catch (RuntimeException ignored) {
          // already gone
        }
      }
    }
    String report = report(rows) + PolicyAgentPath.report(agentRows);
    Path out = root.resolve("bench/results/policy.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, report);
    System.out.println(report);
    System.out.println("wrote " + out);
  }

  static void wire(String node, String pod, String host, String ip, int i) {
    String hostMac = String.format("ee:ee:ee:00:00:%02x", i);
    String podMac = String.format("02:00:00:00:00:%02x", i);
    Cmd.ok(
        "ip", "-n", node, "link", "add", host, "address", hostMac, "type", "veth", "peer", "name",
        "eth0", "address", podMac, "netns", pod);
    Cmd.ok("ip", "-n", node, "link", "set", host, "up");
    Cmd.ok("ip", "-n", node, "route", "add", ip + "/32", "dev", host);
    Cmd.ok("ip", "-n", node, "neigh", "add", ip, "lladdr", podMac, "dev", host, "nud", "permanent");
    Cmd.ok("ip", "-n", pod, "link", "set", "lo", "up");
    Cmd.ok("ip", "-n", pod, "link", "set", "eth0", "up");
    Cmd.ok("ip", "-n", pod, "addr", "add", ip + "/32", "dev", "eth0");
    Cmd.ok("ip", "-n", pod, "route", "add", "169.254.1.1", "dev", "eth0", "scope", "link");
    Cmd.ok("ip", "-n", pod, "route", "add", "default", "via", "169.254.1.1", "dev", "eth0");
    Cmd.ok(
        "ip",
        "-n",
        pod,
        "neigh",
        "add",
        "169.254.1.1",
        "lladdr",
        hostMac,
        "dev",
        "eth0",
        "nud",
        "permanent");
  }

  /**
   * {@code n} policies select the server; policy i admits pods labelled {@code group=g<i>} on port
   * 8000+i; one more admits the client on iperf3's port (so the measured traffic is allowed and
   * crosses every lookup). Peers: 2000 other pods spread over the groups.
   */
  static Row measure(Nft nft, String client, int n) throws Exception {
    KubernetesSerialization yaml = new KubernetesSerialization();
    List<NetworkPolicy> policies = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      policies.add(
          yaml.unmarshal(
              "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p"
                  + i
                  + ", namespace: prod}\nspec:\n  podSelector: {matchLabels: {app: web}}\n"
                  + "  ingress:\n  - from: [{podSelector: {matchLabels: {group: g"
                  + i
                  + "}}}]\n    ports: [{port: "
                  + (8000 + i)
                  + "}]",
              NetworkPolicy.class));
    }
    if (n > 0) {
      policies.add(
          yaml.unmarshal(
              "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: iperf,"
                  + " namespace: prod}\nspec:\n  podSelector: {matchLabels: {app: web}}\n"
                  + "  ingress:\n  - from: [{podSelector: {matchLabels: {app: client}}}]\n"
                  + "    ports: [{port: 5201}]",
              NetworkPolicy.class));
    }
    PolicyPod srv =
        new PolicyPod(
            "prod",
            "web",
            Optional.of(IpAddress.parse("10.0.1.10")),
            Map.of("app", "web"),
            List.of(new PolicyPod.NamedPort("iperf", Protocol.TCP, 5201)));
    PolicyPod cli =
        new PolicyPod(
            "prod",
            "client",
            Optional.of(IpAddress.parse("10.0.1.12")),
            Map.of("app", "client"),
            List.of());
    List<PolicyPod> all = new ArrayList<>(List.of(srv, cli));
    for (int i = 0; i < OTHER_PODS; i++) {
      all.add(
          new PolicyPod(
              "prod",
              "other-" + i,
              Optional.of(IpAddress.ofV4(0x0a020000 + i + 1)),
              Map.of("group", "g" + (n == 0 ? 0 : i % n)),
              List.of()));
    }
    List<Double> compile = new ArrayList<>();
    List<Double> apply = new ArrayList<>();
    for (int u = 0; u < UPDATES; u++) {
      long t0 = System.nanoTime();
      var result =
          PolicyCompiler.compile(policies, Map.of("prod", Map.of()), all, List.of(srv, cli));
      String script = NftRenderer.render(result.pods());
      long t1 = System.nanoTime();
      nft.apply(script);
      long t2 = System.nanoTime();
      if (u >= 3) { // the first runs warm the JVM up
        compile.add((t1 - t0) / 1e6);
        apply.add((t2 - t1) / 1e6);
      }
    }
    return new Row(
        n == 0 ? "table, no policy selects the pods" : n + " policies select the server",
        n,
        median(compile),
        median(apply),
        iperf(client));
  }

  /** Client → server TCP throughput in Gbit/s (iperf3, one stream). */
  static double iperf(String client) {
    String json =
        Cmd.ok(
            "ip",
            "netns",
            "exec",
            client,
            "iperf3",
            "-c",
            "10.0.1.10",
            "-p",
            "5201",
            "-t",
            Integer.toString(IPERF_SECONDS),
            "-J");
    return io.vpccni.testkit.netns.Iperf3.receivedBitsPerSecond(json) / 1e9;
  }

  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }

  static double median(List<Double> xs) {
    List<Double> s = new ArrayList<>(xs);
    s.sort(Double::compare);
    return s.isEmpty() ? 0 : s.get(s.size() / 2);
  }

  static String report(List<Row> rows) {
    StringBuilder b = new StringBuilder();
    b.append("# NetworkPolicy: rule updates and throughput\n\n");
    b.append("`make bench` (PolicyBench), ")
        .append(java.time.LocalDate.now())
        .append(", ")
        .append(Runtime.getRuntime().availableProcessors())
        .append(" cores, load average at the start ")
        .append(loadAverage())
        .append(" (other work on the machine moves these numbers: compare rows of one run).")
        .append(" Two pod namespaces wired to a node namespace as the veth datapath wires")
        .append(" them; N policies select the server pod, each admitting its own group of the ")
        .append(OTHER_PODS)
        .append(" other pods on its own port, plus one admitting the client on iperf3's port, so")
        .append(" the measured traffic is allowed and passes every lookup. A rule update is a full")
        .append(" recompute (compile + render, in the agent's JVM) and one `nft -f` transaction;")
        .append(" medians of ")
        .append(UPDATES - 3)
        .append(" updates. Throughput: iperf3, one TCP stream, ")
        .append(IPERF_SECONDS)
        .append(" s, client pod → server pod on the same node.\n\n");
    b.append("| rules | policies | compile + render (ms) | nft transaction (ms) | TCP Gbit/s |\n");
    b.append("|---|---|---|---|---|\n");
    for (Row r : rows) {
      b.append(
          String.format(
              "| %s | %d | %.2f | %.1f | %.2f |%n",
              r.label(), r.policies(), r.compileMs(), r.applyMs(), r.gbps()));
    }
    b.append(
        "\nThe connection tracking rule accepts every packet after a connection's first, so"
            + " throughput should not depend on the number of policies; the first packet of each"
            + " connection pays two verdict-map lookups and a set lookup per rule of the pod's"
            + " chain.\n");
    return b.toString();
  }
}
