package io.vpccni.bench;

import io.vpccni.agentapi.AgentClient;
import io.vpccni.agentapi.AgentRequest;
import io.vpccni.agentapi.JsonObject;
import io.vpccni.netlink.Netns;
import io.vpccni.testkit.agent.AgentProcess;
import io.vpccni.testkit.vpc.StandInVpc;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Whole-process ADD and DEL latency of {@code vpc-cni} next to the reference {@code ptp} + {@code
 * host-local} plugins, measured in the same run on the same machine, sequentially (200 pods) and
 * with 20 ADDs at once; plus a breakdown of an ADD (JVM start, agent handling, netlink) and the CPU
 * each ADD costs. Writes {@code bench/results/cni-latency.md}. A report, not a test.
 *
 * <p>Both plugins run with their host side in the same node namespace of a stand-in VPC: the
 * reference plugin through {@code nsenter --net=<node>} (it configures the namespace it runs in),
 * ours both directly (its agent works in the node namespace) and through the same nsenter, so the
 * comparison row pays the same launcher cost.
 */
public final class CniLatencyBench {
  static final int SEQ = Integer.getInteger("bench.pods", 200);
  static final int CONC = Integer.getInteger("bench.concurrency", 20);
  static final int CONC_ROUNDS = Integer.getInteger("bench.rounds", 5);
  static final int WARMUP = 10;

  final String prefix =
      "vb" + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36), 36);
  final Path work;
  final Path binary;
  final String ptp = "/usr/lib/cni/ptp";
  StandInVpc vpc;
  AgentProcess agent;
  final List<String> pods = new ArrayList<>();

  CniLatencyBench(Path root) throws IOException {
    this.work = Files.createTempDirectory("vpccni-bench");
    this.binary = root.resolve("dist/cni/vpc-cni");
  }

  public static void main(String[] args) throws Exception {
    Path root = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath();
    CniLatencyBench b = new CniLatencyBench(root);
    try {
      String report = b.run();
      Path out = root.resolve("bench/results/cni-latency.md");
      Files.createDirectories(out.getParent());
      Files.writeString(out, report);
      System.out.println(report);
      System.out.println("written to " + out);
    } finally {
      b.close();
    }
  }

  String nodeNs() {
    return vpc.node(1).netns();
  }

  String ourConf() {
    return "{\"cniVersion\":\"1.0.0\",\"name\":\"vpc\",\"type\":\"vpc-cni\",\"agentSocket\":\""
        + work.resolve("agent.sock")
        + "\"}";
  }

  String ptpConf() {
    return "{\"cniVersion\":\"1.0.0\",\"name\":\"ref\",\"type\":\"ptp\",\"ipam\":{\"type\":\"host-local\",\"subnet\":\"10.200.0.0/16\","
        + "\"dataDir\":\""
        + work.resolve("host-local")
        + "\"}}";
  }

  record Run(long nanos, int exit, String out) {}

  Run exec(List<String> cmd, String verb, String cid, String ns, String conf)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(cmd);
    Map<String, String> env = pb.environment();
    env.clear();
    env.put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
    env.put("CNI_COMMAND", verb);
    env.put("CNI_CONTAINERID", cid);
    env.put("CNI_NETNS", ns == null ? "" : "/run/netns/" + ns);
    env.put("CNI_IFNAME", "eth0");
    env.put("CNI_PATH", "/usr/lib/cni");
    pb.redirectError(ProcessBuilder.Redirect.DISCARD);
    long t0 = System.nanoTime();
    Process p = pb.start();
    try (OutputStream in = p.getOutputStream()) {
      in.write(conf.getBytes(StandardCharsets.UTF_8));
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(verb + " timed out");
    }
    long t = System.nanoTime() - t0;
    if (p.exitValue() != 0) {
      throw new IllegalStateException(cmd + " " + verb + " " + cid + " failed: " + out);
    }
    return new Run(t, p.exitValue(), out);
  }

  interface Plugin {
    Run call(String verb, String cid, String ns) throws Exception;
  }

  /** Children's CPU (utime+stime of reaped children) of this JVM, in clock ticks. */
  static long childCpuTicks() throws IOException {
    String[] f = statFields("self");
    return Long.parseLong(f[15]) + Long.parseLong(f[16]);
  }

  static long cpuTicks(long pid) throws IOException {
    String[] f = statFields(Long.toString(pid));
    return Long.parseLong(f[13]) + Long.parseLong(f[14]);
  }

  private static String[] statFields(String pid) throws IOException {
    // "pid (comm) state ppid ...": fields after the command name, re-indexed so that [n] is field
    // n+1
    String s = Files.readString(Path.of("/proc", pid, "stat"));
    return ("pid comm " + s.substring(s.lastIndexOf(')') + 2)).split(" ");
  }

  record Series(Stats add, Stats del, double cpuMsPerAdd) {}

  Series sequential(Plugin p, String tag) throws Exception {
    for (int i = 0; i < WARMUP; i++) {
      p.call("ADD", tag + "-w" + i, pods.get(i));
      p.call("DEL", tag + "-w" + i, pods.get(i));
    }
    List<Long> adds = new ArrayList<>();
    long cpu0 = childCpuTicks();
    for (int i = 0; i < SEQ; i++) {
      adds.add(p.call("ADD", tag + "-" + i, pods.get(i)).nanos());
    }
    long cpu1 = childCpuTicks();
    List<Long> dels = new ArrayList<>();
    for (int i = 0; i < SEQ; i++) {
      dels.add(p.call("DEL", tag + "-" + i, pods.get(i)).nanos());
    }
    return new Series(Stats.of(adds), Stats.of(dels), (cpu1 - cpu0) * 10.0 / SEQ);
  }

  Series concurrent(Plugin p, String tag) throws Exception {
    List<Long> adds = Collections.synchronizedList(new ArrayList<>());
    List<Long> dels = Collections.synchronizedList(new ArrayList<>());
    try (ExecutorService ex = Executors.newFixedThreadPool(CONC)) {
      for (int r = 0; r < CONC_ROUNDS; r++) {
        int round = r;
        List<Future<?>> fs = new ArrayList<>();
        for (int i = 0; i < CONC; i++) {
          int n = round * CONC + i;
          fs.add(ex.submit(() -> adds.add(p.call("ADD", tag + "-c" + n, pods.get(n)).nanos())));
        }
        for (Future<?> f : fs) {
          f.get();
        }
        fs.clear();
        for (int i = 0; i < CONC; i++) {
          int n = round * CONC + i;
          fs.add(ex.submit(() -> dels.add(p.call("DEL", tag + "-c" + n, pods.get(n)).nanos())));
        }
        for (Future<?> f : fs) {
          f.get();
        }
      }
    }
    return new Series(Stats.of(adds), Stats.of(dels), 0);
  }

  String run() throws Exception {
    if (!Files.isExecutable(binary)) {
      throw new IllegalStateException(binary + " is missing: run make build first");
    }
    int ipsPerEni = (SEQ + WARMUP) / 2 + 5;
    if (ipsPerEni > 230) {
      throw new IllegalArgumentException("bench.pods too large for two /24 ENIs");
    }
    System.out.println("setting up a stand-in VPC node and " + SEQ + " pod namespaces ...");
    vpc = StandInVpc.create(prefix, 1, 2, ipsPerEni);
    vpc.node(1).writeEniFile(work.resolve("enis.json"));
    String cfg =
        "{\"node\":\"bench\",\"socket\":\""
            + work.resolve("agent.sock")
            + "\",\"stateDir\":\""
            + work.resolve("state")
            + "\",\"nodeNetns\":\""
            + vpc.node(1).netnsPath()
            + "\",\"ipCooldownSeconds\":0,\"metricsAddress\":\"127.0.0.1:0\",\"enisFile\":\""
            + work.resolve("enis.json")
            + "\"}";
    agent =
        AgentProcess.start(
            work, cfg, work.resolve("agent.sock"), Map.of("VPCCNI_LOG_LEVEL", "WARN"));
    for (int i = 0; i < Math.max(SEQ, CONC * CONC_ROUNDS); i++) {
      String ns = prefix + "-p" + i;
      Netns.create(ns);
      pods.add(ns);
    }
    String nsenter = "--net=" + vpc.node(1).netnsPath();
    Plugin ours = (verb, cid, ns) -> exec(List.of(binary.toString()), verb, cid, ns, ourConf());
    Plugin oursNsenter =
        (verb, cid, ns) ->
            exec(List.of("nsenter", nsenter, binary.toString()), verb, cid, ns, ourConf());
    Plugin ref =
        (verb, cid, ns) -> exec(List.of("nsenter", nsenter, ptp), verb, cid, ns, ptpConf());

    System.out.println("VERSION (process start floor) ...");
    List<Long> ourVersion = new ArrayList<>();
    List<Long> refVersion = new ArrayList<>();
    List<Long> nsenterTrue = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      ourVersion.add(exec(List.of(binary.toString()), "VERSION", "", null, ourConf()).nanos());
      refVersion.add(exec(List.of(ptp), "VERSION", "", null, ptpConf()).nanos());
      nsenterTrue.add(
          exec(List.of("nsenter", nsenter, "/bin/true"), "VERSION", "", null, "").nanos());
    }
    System.out.println("sequential, vpc-cni ...");
    long agentCpu0 = cpuTicks(agent.pid());
    Series seqOurs = sequential(ours, "o");
    long agentCpu1 = cpuTicks(agent.pid());
    JsonObject timings = introspect().object("timings");
    System.out.println("sequential, vpc-cni under nsenter ...");
    Series seqOursNs = sequential(oursNsenter, "on");
    System.out.println("sequential, ptp + host-local ...");
    Series seqRef = sequential(ref, "r");
    System.out.println("concurrent (" + CONC + " at once) ...");
    Series concOurs = concurrent(ours, "o");
    Series concRef = concurrent(ref, "r");
    double agentCpuPerPod =
        (agentCpu1 - agentCpu0) * 10.0 / (SEQ + WARMUP) / 2; // ADD and DEL share it

    StringBuilder r = new StringBuilder();
    r.append("# CNI latency: vpc-cni vs ptp + host-local\n\n");
    r.append("Generated by `make bench` (`io.vpccni.bench.CniLatencyBench`) on ")
        .append(LocalDateTime.now().withNano(0))
        .append(", ")
        .append(Runtime.getRuntime().availableProcessors())
        .append(" cores, ")
        .append(System.getProperty("java.vm.name"))
        .append(' ')
        .append(System.getProperty("java.version"))
        .append(" (benchmark JVM).\n");
    r.append(
        "Whole-process time: from exec to exit, stdin written and stdout read, as a runtime sees it. All numbers in ms.\n\n");
    r.append("## Sequential (")
        .append(SEQ)
        .append(" pods, after ")
        .append(WARMUP)
        .append(" warm-up pods)\n\n");
    r.append("| series | n | p50 | p90 | p99 | max |\n|---|---|---|---|---|---|\n");
    r.append(seqOurs.add().row("vpc-cni ADD")).append('\n');
    r.append(seqOursNs.add().row("vpc-cni ADD (under nsenter)")).append('\n');
    r.append(seqRef.add().row("ptp + host-local ADD (under nsenter)")).append('\n');
    r.append(seqOurs.del().row("vpc-cni DEL")).append('\n');
    r.append(seqOursNs.del().row("vpc-cni DEL (under nsenter)")).append('\n');
    r.append(seqRef.del().row("ptp + host-local DEL (under nsenter)")).append('\n');
    r.append(
        String.format(
            "%nRatio vpc-cni / ptp+host-local, both under nsenter, p50: ADD %.2f×, DEL %.2f×.%n",
            seqOursNs.add().p50() / seqRef.add().p50(),
            seqOursNs.del().p50() / seqRef.del().p50()));
    r.append("\n## Concurrent (")
        .append(CONC)
        .append(" ADDs at once, then ")
        .append(CONC)
        .append(" DELs, ")
        .append(CONC_ROUNDS)
        .append(" rounds)\n\n");
    r.append("| series | n | p50 | p90 | p99 | max |\n|---|---|---|---|---|---|\n");
    r.append(concOurs.add().row("vpc-cni ADD")).append('\n');
    r.append(concRef.add().row("ptp + host-local ADD (under nsenter)")).append('\n');
    r.append(concOurs.del().row("vpc-cni DEL")).append('\n');
    r.append(concRef.del().row("ptp + host-local DEL (under nsenter)")).append('\n');
    r.append(
        String.format(
            "%nRatio, p50: ADD %.2f×, DEL %.2f× (ours direct vs reference under nsenter; nsenter alone costs %.1f ms p50).%n",
            concOurs.add().p50() / concRef.add().p50(),
            concOurs.del().p50() / concRef.del().p50(),
            Stats.of(nsenterTrue).p50()));
    r.append("\n## Where an ADD's time goes (sequential, p50)\n\n| part | ms |\n|---|---|\n");
    double version = Stats.of(ourVersion).p50();
    double agentAdd = timings.object("ADD").integer("p50us") / 1000.0;
    double netlink = timings.object("ADD.datapath").integer("p50us") / 1000.0;
    r.append(String.format("| whole ADD process | %.1f |%n", seqOurs.add().p50()));
    r.append(String.format("| JVM start + exit (VERSION, no socket) | %.1f |%n", version));
    r.append(String.format("| agent handling (request in → result out) | %.2f |%n", agentAdd));
    r.append(String.format("| … of which netlink datapath | %.2f |%n", netlink));
    r.append(
        String.format(
            "| … of which pool, two durable store writes, locking | %.2f |%n", agentAdd - netlink));
    r.append(
        String.format(
            "| rest: config parse, socket connect and round trip, result conversion | %.1f |%n",
            seqOurs.add().p50() - version - agentAdd));
    r.append(
        String.format("%nReference `ptp VERSION` p50: %.1f ms.%n", Stats.of(refVersion).p50()));
    r.append("\n## CPU per ADD (sequential)\n\n| | ms CPU |\n|---|---|\n");
    r.append(
        String.format("| vpc-cni binary process (user+sys) | %.1f |%n", seqOurs.cpuMsPerAdd()));
    r.append(String.format("| vpc-cni agent, per ADD or DEL | %.2f |%n", agentCpuPerPod));
    r.append(
        String.format(
            "| ptp + host-local processes (incl. nsenter) | %.1f |%n", seqRef.cpuMsPerAdd()));
    int cores = Runtime.getRuntime().availableProcessors();
    r.append(
        String.format(
            "%nReading the numbers: a sequential ADD is dominated by starting a JVM (the AOT-cached, jlinked runtime);"
                + " the agent's share is small. With %d ADDs at once the machine is CPU-bound: %d processes × %.0f ms CPU"
                + " / %d cores ≈ %.0f ms, which is about the concurrent p50 above. The reference plugins are Go"
                + " binaries that cost %.0f ms CPU each. Cutting the binary's CPU per exec (a smaller AOT-trained path,"
                + " or a native image, not available from this machine's registries) is what would close the concurrent gap.%n",
            CONC,
            CONC,
            seqOurs.cpuMsPerAdd(),
            cores,
            CONC * seqOurs.cpuMsPerAdd() / cores,
            seqRef.cpuMsPerAdd()));
    r.append(
        "\nTargets (issue 2): agent-side ADD p50 ≤ 5 ms; whole-process ADD p50 ≤ 60 ms, p99 ≤ 100 ms.\n");
    r.append("Agent timings (µs) from `vpc-cni-cli pool -o json` → `timings`: ")
        .append(timings)
        .append('\n');
    return r.toString();
  }

  JsonObject introspect() throws IOException {
    return new AgentClient(work.resolve("agent.sock"), Duration.ofSeconds(10))
        .call(new AgentRequest("INTROSPECT", "", "", "", Map.of(), null))
        .result();
  }

  void close() {
    if (agent != null) {
      agent.close();
    }
    for (String ns : pods) {
      try {
        Netns.delete(ns);
      } catch (RuntimeException e) {
        // gone already, or not deletable: keep deleting the others
      }
    }
    if (vpc != null) {
      vpc.close();
    }
    try (var files = Files.walk(work)) {
      for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(f);
      }
    } catch (IOException e) {
      System.err.println("could not remove " + work + ": " + e.getMessage());
    }
  }
}
