package io.vpccni.e2e.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.agentapi.AgentClient;
import io.vpccni.agentapi.AgentRequest;
import io.vpccni.agentapi.JsonObject;
import io.vpccni.testkit.agent.AgentProcess;
import io.vpccni.testkit.vpc.StandInVpc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A real runtime drives vpc-cni: containerd's CRI runs pod sandboxes with our conflist as the first
 * {@code 10-*.conflist} — vpc-cni first, then Debian's reference {@code tuning} and {@code portmap}
 * chained after it (each needs a correct prevResult) — in a node namespace wired into a stand-in
 * VPC. Pods get addresses from our agent's pool, reach each other and a VPC host, and CRI's
 * StopPodSandbox (CNI DEL) gives every address back.
 */
@Tag("e2e")
class PrivilegedVpcCniContainerdTest {
  @Test
  void containerdPodsGetVpcAddressesFromTheAgentAndReachEachOther() throws Exception {
    Containerd.unavailabilityCause()
        .ifPresent(cause -> Assumptions.abort("containerd harness unavailable: " + cause));
    Path dist = Path.of(System.getProperty("vpccni.root", "."), "dist", "cni");
    if (!Files.isExecutable(dist.resolve("vpc-cni"))) {
      throw new IllegalStateException(
          dist.resolve("vpc-cni") + " is missing: run make build first");
    }
    String prefix = "ve" + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36), 36);
    try (Containerd c =
            Containerd.start(
                Containerd.Options.defaults().withLogCopyDir(Path.of("target/e2e-logs")));
        StandInVpc vpc = StandInVpc.createAround(prefix, c.nodeNamespace().name(), 2, 4)) {
      Path agentDir = c.scratchDir("agent");
      Path socket = agentDir.resolve("agent.sock");
      vpc.node(1).writeEniFile(agentDir.resolve("enis.json"));
      String config =
          "{\"node\":\"e2e\",\"socket\":\""
              + socket
              + "\",\"stateDir\":\""
              + agentDir.resolve("state")
              + "\",\"nodeNetns\":\""
              + c.nodeNamespace().path()
              + "\",\"enisFile\":\""
              + agentDir.resolve("enis.json")
              + "\",\"metricsAddress\":\"\"}";
      try (AgentProcess agent = AgentProcess.start(agentDir, config, socket, Map.of())) {
        Path bin = c.scratchDir("plugins");
        Files.createSymbolicLink(bin.resolve("vpc-cni"), dist.resolve("vpc-cni").toAbsolutePath());
        Files.createSymbolicLink(
            bin.resolve("vpc-cni.d"), dist.resolve("vpc-cni.d").toAbsolutePath());
        for (String ref : List.of("tuning", "portmap", "loopback")) {
          Files.createSymbolicLink(bin.resolve(ref), Path.of("/usr/lib/cni", ref));
        }
        String conflist =
            "{\"cniVersion\":\"1.0.0\",\"name\":\"vpc-cni\",\"plugins\":["
                + "{\"type\":\"vpc-cni\",\"agentSocket\":\""
                + socket
                + "\"},"
                + "{\"type\":\"tuning\",\"sysctl\":{\"net.ipv4.conf.eth0.arp_notify\":\"1\"}},"
                + "{\"type\":\"portmap\",\"capabilities\":{\"portMappings\":true},\"snat\":false}]}";
        c.installCni(bin, "10-vpc-cni.conflist", conflist);

        List<PodSandbox> pods = c.runPods("web-0", "web-1", "web-2");
        List<String> eniIps = vpc.node(1).enis().stream().flatMap(e -> e.ips().stream()).toList();
        for (PodSandbox p : pods) {
          assertThat(eniIps).as("%s got an address of the node's ENIs", p).contains(p.ip());
          assertThat(
                  p.exec("cat", "/proc/sys/net/ipv4/conf/eth0/arp_notify").check().stdout().strip())
              .as("tuning ran after vpc-cni, on the interface vpc-cni reported")
              .isEqualTo("1");
        }
        assertThat(new HashSet<>(pods.stream().map(PodSandbox::ip).toList())).hasSize(3);
        for (PodSandbox a : pods) {
          for (PodSandbox b : pods) {
            if (a != b) {
              assertThat(a.exec("ping", "-c1", "-W2", b.ip()).exitCode())
                  .as("%s -> %s", a, b)
                  .isZero();
            }
          }
          assertThat(a.exec("ping", "-c1", "-W2", StandInVpc.HOST_IP).exitCode())
              .as("%s -> VPC host", a)
              .isZero();
        }
        JsonObject state = introspect(socket);
        assertThat(state.objects("attachments").stream().map(x -> x.string("pod")).toList())
            .as("the agent saw the pod names from CNI_ARGS")
            .allMatch(name -> name.contains("web-"));

        for (PodSandbox p : pods) {
          c.removePod(p);
        }
        assertThat(introspect(socket).objects("attachments"))
            .as("every address given back on StopPodSandbox")
            .isEmpty();
        assertThat(c.nodeNamespace().linkNames().stream().filter(l -> l.startsWith("vpc")))
            .isEmpty();
      }
    }
  }

  static JsonObject introspect(Path socket) throws Exception {
    return new AgentClient(socket, Duration.ofSeconds(10))
        .call(new AgentRequest("INTROSPECT", "", "", "", Map.of(), null))
        .result();
  }
}
