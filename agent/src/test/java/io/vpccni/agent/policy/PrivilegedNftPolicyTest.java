package io.vpccni.agent.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.vpccni.netlink.Netns;
import io.vpccni.testkit.netns.NetnsExtension;
import io.vpccni.testkit.netns.Privileged;
import io.vpccni.testkit.netns.TestNetns;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Compiled policies applied with nft in a node namespace, probed with real TCP and UDP packets
 * between pod namespaces wired as the veth datapath wires them (a /32 per pod, a host route per
 * pod, the link-local gateway). Each verdict comes from the same truth table as {@link
 * PolicyCompilerTest}; here the kernel decides.
 */
@Tag("netns")
class PrivilegedNftPolicyTest {
  @RegisterExtension static final NetnsExtension NETNS = new NetnsExtension();

  static TestNetns node;
  static final Map<PolicyPod, TestNetns> PODS = new LinkedHashMap<>();
  static final List<AutoCloseable> SERVERS = new ArrayList<>();
  static Nft nft;

  static final PolicyPod WEB = PolicyCompilerTest.PROD_WEB;
  static final PolicyPod DB = PolicyCompilerTest.PROD_DB;
  static final PolicyPod CLIENT = PolicyCompilerTest.PROD_CLIENT;
  static final PolicyPod DEV_CLIENT = PolicyCompilerTest.DEV_CLIENT;
  static final List<PolicyPod> ALL = List.of(WEB, DB, CLIENT, DEV_CLIENT);

  @BeforeAll
  static void wire() throws Exception {
    Privileged.assumeRoot();
    node = NETNS.create("node");
    NETNS.exec(node, "sysctl", "-qw", "net.ipv4.ip_forward=1");
    int i = 0;
    for (PolicyPod p : ALL) {
      i++;
      TestNetns ns = NETNS.create("p" + i);
      String ip = p.ip().orElseThrow().toString();
      String host = NETNS.linkName("h" + i);
      String hostMac = String.format("ee:ee:ee:00:00:%02x", i);
      String podMac = String.format("02:00:00:00:00:%02x", i);
      NETNS.ip(
          node, "link", "add", host, "address", hostMac, "type", "veth", "peer", "name", "eth0",
          "address", podMac, "netns", ns.name());
      NETNS.ip(node, "link", "set", host, "up");
      NETNS.ip(node, "route", "add", ip + "/32", "dev", host);
      NETNS.ip(node, "neigh", "add", ip, "lladdr", podMac, "dev", host, "nud", "permanent");
      NETNS.ip(ns, "link", "set", "lo", "up");
      NETNS.ip(ns, "link", "set", "eth0", "up");
      NETNS.ip(ns, "addr", "add", ip + "/32", "dev", "eth0");
      NETNS.ip(ns, "route", "add", "169.254.1.1", "dev", "eth0", "scope", "link");
      NETNS.ip(ns, "route", "add", "default", "via", "169.254.1.1", "dev", "eth0");
      NETNS.ip(
          ns, "neigh", "add", "169.254.1.1", "lladdr", hostMac, "dev", "eth0", "nud", "permanent");
      PODS.put(p, ns);
      serve(p, ns);
    }
    nft = new Nft("nft", Optional.of(node.path()));
  }

  /** TCP and UDP servers on the ports the cases use: each answers one byte. */
  static void serve(PolicyPod p, TestNetns ns) throws Exception {
    InetAddress ip = InetAddress.getByName(p.ip().orElseThrow().toString());
    try (Netns n = Netns.open(ns.path())) {
      for (int port : new int[] {8080, 5432, 9000}) {
        ServerSocket ss = n.run(() -> new ServerSocket(port, 50, ip));
        SERVERS.add(ss);
        Thread.ofVirtual()
            .start(
                () -> {
                  while (!ss.isClosed()) {
                    try (Socket s = ss.accept()) {
                      s.getOutputStream().write(1);
                    } catch (IOException e) {
                      return;
                    }
                  }
                });
      }
      for (int port : new int[] {53, 61}) {
        DatagramSocket ds = n.run(() -> new DatagramSocket(new InetSocketAddress(ip, port)));
        SERVERS.add(ds);
        Thread.ofVirtual()
            .start(
                () -> {
                  byte[] buf = new byte[16];
                  while (!ds.isClosed()) {
                    try {
                      DatagramPacket d = new DatagramPacket(buf, buf.length);
                      ds.receive(d);
                      ds.send(new DatagramPacket(buf, d.getLength(), d.getSocketAddress()));
                    } catch (IOException e) {
                      return;
                    }
                  }
                });
      }
    }
  }

  @AfterAll
  static void down() throws Exception {
    for (AutoCloseable c : SERVERS) {
      c.close();
    }
  }

  static boolean tcp(PolicyPod from, PolicyPod to, int port) throws Exception {
    InetSocketAddress dst =
        new InetSocketAddress(InetAddress.getByName(to.ip().orElseThrow().toString()), port);
    try (Netns n = Netns.open(PODS.get(from).path())) {
      // a Socket makes its descriptor at connect: connect on the namespace's thread
      return n.run(
          () -> {
            try (Socket s = new Socket()) {
              s.connect(dst, 600);
              s.setSoTimeout(600);
              return s.getInputStream().read() == 1; // the reply came back: conntrack let it
            } catch (IOException e) {
              return false;
            }
          });
    }
  }

  static boolean udp(PolicyPod from, PolicyPod to, int port) throws Exception {
    InetSocketAddress dst =
        new InetSocketAddress(InetAddress.getByName(to.ip().orElseThrow().toString()), port);
    try (Netns n = Netns.open(PODS.get(from).path())) {
      DatagramSocket s = n.run(DatagramSocket::new);
      try (s) {
        s.setSoTimeout(600);
        s.send(new DatagramPacket(new byte[] {7}, 1, dst));
        DatagramPacket back = new DatagramPacket(new byte[16], 16);
        s.receive(back);
        return back.getLength() == 1;
      } catch (IOException e) {
        return false;
      }
    }
  }

  static void apply(String... yamls) throws IOException {
    List<NetworkPolicy> ps = new ArrayList<>();
    for (String y : yamls) {
      ps.add(PolicyCompilerTest.policy(y));
    }
    var r = PolicyCompiler.compile(ps, PolicyCompilerTest.NAMESPACES, ALL, ALL);
    assertThat(r.errors()).isEmpty();
    nft.apply(NftRenderer.render(r.pods()));
  }

  @Test
  void realPacketsFollowTheTruthTable() throws Exception {
    apply();
    assertThat(tcp(CLIENT, WEB, 8080)).as("no policy: open").isTrue();
    assertThat(udp(DEV_CLIENT, DB, 53)).as("no policy: open (UDP)").isTrue();

    apply(
        "metadata: {name: deny, namespace: prod}\nspec: {podSelector: {}, policyTypes: [Ingress]}");
    assertThat(tcp(CLIENT, WEB, 8080)).as("default deny ingress").isFalse();
    assertThat(udp(DEV_CLIENT, DB, 53)).as("default deny ingress (UDP)").isFalse();
    assertThat(tcp(WEB, DEV_CLIENT, 8080)).as("egress is not isolated; dev is open").isTrue();

    apply(
        "metadata: {name: web, namespace: prod}\nspec:\n  podSelector: {matchLabels: {app: web}}\n  ingress:\n  - from: [{podSelector: {matchLabels: {app: client}}}]\n    ports: [{port: 8080}]");
    assertThat(tcp(CLIENT, WEB, 8080)).as("client → web:8080 allowed").isTrue();
    assertThat(tcp(CLIENT, WEB, 9000)).as("another port").isFalse();
    assertThat(tcp(DEV_CLIENT, WEB, 8080)).as("a client of another namespace").isFalse();
    assertThat(tcp(DB, WEB, 8080)).as("not a client").isFalse();
    assertThat(tcp(CLIENT, DB, 5432)).as("db is not selected").isTrue();

    apply(
        "metadata: {name: blk, namespace: prod}\nspec:\n  podSelector: {matchLabels: {app: db}}\n  ingress:\n  - from: [{ipBlock: {cidr: 10.0.0.0/16, except: [10.0.2.0/24]}}]");
    assertThat(tcp(CLIENT, DB, 5432)).as("inside the block").isTrue();
    assertThat(tcp(DEV_CLIENT, DB, 5432)).as("in the except").isFalse();

    apply(
        "metadata: {name: eg, namespace: prod}\nspec:\n  podSelector: {matchLabels: {app: client}}\n  egress:\n  - to: [{podSelector: {matchLabels: {app: db}}}]\n    ports: [{port: 5432}, {protocol: UDP, port: 50, endPort: 60}]");
    assertThat(tcp(CLIENT, DB, 5432)).as("egress to db:5432").isTrue();
    assertThat(udp(CLIENT, DB, 53)).as("egress UDP inside the range").isTrue();
    assertThat(udp(CLIENT, DB, 61)).as("egress UDP past endPort").isFalse();
    assertThat(tcp(CLIENT, WEB, 8080)).as("egress to web").isFalse();
    assertThat(tcp(WEB, CLIENT, 8080)).as("ingress of client: isolated, no rules").isFalse();

    nft.delete();
    assertThat(tcp(CLIENT, WEB, 8080)).as("table removed: open again").isTrue();
    assertThat(nft.list()).isEmpty();
  }

  @Test
  void aBadScriptChangesNothing() throws Exception {
    apply(
        "metadata: {name: deny, namespace: prod}\nspec: {podSelector: {}, policyTypes: [Ingress]}");
    String before = nft.list();
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> nft.apply(NftRenderer.render(List.of()) + "chain nonsense {\n"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("failed to run nft");
    assertThat(nft.list()).isEqualTo(before);
    assertThat(tcp(CLIENT, WEB, 8080)).isFalse();
    nft.delete();
  }
}
