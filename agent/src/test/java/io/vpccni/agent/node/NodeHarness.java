package io.vpccni.agent.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.agentapi.Json;
import io.vpccni.agentapi.JsonObject;
import io.vpccni.netlink.Netns;
import io.vpccni.netlink.NotFoundException;
import io.vpccni.testkit.agent.AgentProcess;
import io.vpccni.testkit.cni.CniExec;
import io.vpccni.testkit.vpc.Cmd;
import io.vpccni.testkit.vpc.StandInVpc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Assumptions;

/**
 * One node of a {@link StandInVpc} with a real agent process, and pods driven through the real CNI
 * binary ({@code dist/cni/vpc-cni}, built by {@code make build}) exactly as a runtime drives it:
 * CNI_* environment, network config on stdin, result on stdout.
 */
final class NodeHarness implements AutoCloseable {
  final String prefix;
  final StandInVpc vpc;
  final StandInVpc.Node node;
  final Path work;
  final Path socket;
  final List<String> podNamespaces = new ArrayList<>();
  String mode = "shared";
  long cooldownSeconds = 180;
  String eniSource = "file";

  /** More agent config keys, as JSON members with a leading comma. */
  String extraConfig = "";

  AgentProcess agent;

  static void assumePrivileged() {
    Assumptions.assumeTrue(
        "root".equals(System.getProperty("user.name")), "namespace tests need root");
    Assumptions.assumeTrue(
        Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/usr/bin/ip")),
        "needs iproute2");
    Assumptions.assumeTrue(
        Files.isExecutable(Path.of("/usr/bin/ping")), "needs ping (iputils-ping)");
  }

  static Path binary() {
    return CniExec.dist().binary();
  }

  NodeHarness(int enis, int ipsPerEni) throws IOException {
    this.prefix =
        "vt" + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36 * 36), 36);
    this.work = Files.createTempDirectory("vpccni-" + prefix);
    this.socket = work.resolve("agent.sock");
    this.vpc = StandInVpc.create(prefix, 1, enis, ipsPerEni);
    this.node = vpc.node(1);
    node.writeEniFile(work.resolve("enis.json"));
  }

  String agentConfig() {
    String source =
        eniSource.equals("file")
            ? "\"enisFile\":\"" + work.resolve("enis.json") + "\""
            : "\"eniSource\":\"kubernetes\",\"kubeconfig\":\"" + work.resolve("kubeconfig") + "\"";
    return "{\"node\":\"node1\",\"socket\":\""
        + socket
        + "\",\"stateDir\":\""
        + work.resolve("state")
        + "\",\"nodeNetns\":\""
        + node.netnsPath()
        + "\",\"mode\":\""
        + mode
        + "\",\"ipCooldownSeconds\":"
        + cooldownSeconds
        + ","
        + source
        + ",\"devicePluginDir\":\""
        + work.resolve("device-plugins")
        + "\",\"metricsAddress\":\"127.0.0.1:0\""
        + extraConfig
        + "}";
  }

  AgentProcess startAgent(Map<String, String> env) throws IOException, InterruptedException {
    agent = AgentProcess.start(work, agentConfig(), socket, env);
    return agent;
  }

  String netconf(String cniVersion) {
    return "{\"cniVersion\":\""
        + cniVersion
        + "\",\"name\":\"vpc\",\"type\":\"vpc-cni\",\"agentSocket\":\""
        + socket
        + "\"}";
  }

  /** Creates a pod namespace named {@code <prefix>-<name>}. */
  String podNs(String name) {
    String ns = prefix + "-" + name;
    Netns.create(ns);
    podNamespaces.add(ns);
    Cmd.ok("ip", "-n", ns, "link", "set", "lo", "up");
    return ns;
  }

  record CniResult(int exit, String stdout, String stderr) {
    JsonObject json() {
      return Json.parseObject(stdout);
    }

    String ip() {
      String a = json().objects("ips").get(0).string("address");
      return a.substring(0, a.indexOf('/'));
    }

    long code() {
      return json().integer("code");
    }
  }

  CniResult cni(String command, String containerId, String netnsName, String stdin)
      throws IOException, InterruptedException {
    Map<String, String> env = new HashMap<>();
    env.put("CNI_COMMAND", command);
    env.put("CNI_CONTAINERID", containerId);
    env.put("CNI_NETNS", netnsName == null ? "" : "/run/netns/" + netnsName);
    env.put("CNI_IFNAME", "eth0");
    env.put("CNI_PATH", "/usr/lib/cni");
    env.put("CNI_ARGS", "K8S_POD_NAMESPACE=default;K8S_POD_NAME=" + containerId);
    return exec(env, stdin);
  }

  static CniResult exec(Map<String, String> env, String stdin) {
    CniExec.Result r =
        CniExec.dist().withTimeout(java.time.Duration.ofSeconds(120)).run(env, stdin);
    return new CniResult(r.exitCode(), r.stdout(), r.stderr());
  }

  CniResult add(String containerId, String ns) throws Exception {
    CniResult r = cni("ADD", containerId, ns, netconf("1.0.0"));
    assertThat(r.exit()).as("ADD %s: %s %s", containerId, r.stdout(), r.stderr()).isZero();
    return r;
  }

  CniResult del(String containerId, String ns) throws Exception {
    CniResult r = cni("DEL", containerId, ns, netconf("1.0.0"));
    assertThat(r.exit()).as("DEL %s: %s %s", containerId, r.stdout(), r.stderr()).isZero();
    return r;
  }

  /**
   * The node namespace's links, addresses, routes (all tables), rules and neighbours, as `ip -j`
   * prints them.
   */
  String nodeState() {
    String ns = node.netns();
    StringBuilder sb = new StringBuilder();
    sb.append(Cmd.ok("ip", "-n", ns, "-j", "link", "show"));
    sb.append('\n').append(Cmd.ok("ip", "-n", ns, "-j", "addr", "show"));
    sb.append('\n').append(Cmd.ok("ip", "-n", ns, "-j", "route", "show", "table", "all"));
    sb.append('\n').append(Cmd.ok("ip", "-n", ns, "-j", "rule", "show"));
    sb.append('\n').append(Cmd.ok("ip", "-n", ns, "-j", "neigh", "show", "nud", "permanent"));
    return sb.toString();
  }

  /** Lines of `ip` (text) output of the node, for readable assertion failures. */
  String nodeText() {
    String ns = node.netns();
    return Cmd.ok("ip", "-n", ns, "-br", "link")
        + Cmd.ok("ip", "-n", ns, "route", "show", "table", "all")
        + Cmd.ok("ip", "-n", ns, "rule");
  }

  JsonObject introspect() throws IOException {
    var client = new io.vpccni.agentapi.AgentClient(socket, java.time.Duration.ofSeconds(10));
    var resp =
        client.call(new io.vpccni.agentapi.AgentRequest("INTROSPECT", "", "", "", Map.of(), null));
    return resp.result();
  }

  @Override
  public void close() {
    if (agent != null) {
      agent.close();
    }
    for (String ns : podNamespaces) {
      try {
        Netns.delete(ns);
      } catch (NotFoundException e) {
        // a test deleted it already
      } catch (RuntimeException e) {
        // keep deleting the others, as before
      }
    }
    vpc.close();
    // Keep the agent logs for a post-mortem, then remove the work directory (sockets, store).
    try (var files = Files.walk(work)) {
      Path logs = Path.of("target", "agent-logs", prefix);
      Files.createDirectories(logs);
      for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        if (f.getFileName().toString().endsWith(".log")) {
          Files.copy(
              f, logs.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        Files.deleteIfExists(f);
      }
    } catch (IOException e) {
      System.err.println("cleanup of " + work + " incomplete: " + e.getMessage());
    }
  }
}
