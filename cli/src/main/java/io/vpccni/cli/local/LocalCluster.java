package io.vpccni.cli.local;

import io.vpccni.agentapi.Json;
import io.vpccni.agentapi.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A whole vpc-cni cluster on one machine: the VPC emulator with its namespace data plane, the API
 * server stand-in, the controller (OpenStack provider against the emulator) and one agent per node,
 * each a process started from {@code dist/}. Every namespace carries the cluster's prefix, nothing
 * touches the root namespace's interfaces, and {@link #down} removes every process, namespace and
 * file {@link #up} made. The cluster's description is {@code <dir>/cluster.json}. Controller
 * replicas can be added and SIGKILLed while it runs, for failover tests.
 *
 * <p>Over 400 lines because it is the one script of a local cluster's life (up, replicas, pods,
 * down), kept in one file so the order of its steps reads top to bottom.
 */
public final class LocalCluster {
  static final String SUBNET = "10.0.0.0/16";
  static final String GATEWAY = "10.0.0.1";

  /**
   * Tunables of a local cluster; the defaults are what `local up` uses. {@code networkPolicy} is
   * the agents' {@code networkPolicy} key: on by default, so every local cluster (the demo, every
   * e2e test) runs with NetworkPolicy enforced. {@code snat} maps a node number (1-based) to the
   * value of that node's agent {@code snat} key, as JSON (e.g. {@code
   * {"enabled":true,"vpcCidrs":["10.0.0.0/16"]}}); a node not in it runs with SNAT off, the
   * default.
   */
  public record Options(
      int nodes,
      String instanceType,
      long ipCooldownSeconds,
      int warmIps,
      int releaseDelaySeconds,
      int gcPeriodSeconds,
      int gcGraceSeconds,
      boolean networkPolicy,
      Map<Integer, String> snat) {
    public Options {
      snat = Map.copyOf(snat);
    }

    /** With NetworkPolicy enforced and SNAT off. */
    public Options(
        int nodes,
        String instanceType,
        long ipCooldownSeconds,
        int warmIps,
        int releaseDelaySeconds,
        int gcPeriodSeconds,
        int gcGraceSeconds) {
      this(
          nodes,
          instanceType,
          ipCooldownSeconds,
          warmIps,
          releaseDelaySeconds,
          gcPeriodSeconds,
          gcGraceSeconds,
          true,
          Map.of());
    }

    /** The same, with each listed node's agent {@code snat} key (1-based node number → JSON). */
    public Options withSnat(Map<Integer, String> snatByNode) {
      return new Options(
          nodes,
          instanceType,
          ipCooldownSeconds,
          warmIps,
          releaseDelaySeconds,
          gcPeriodSeconds,
          gcGraceSeconds,
          networkPolicy,
          snatByNode);
    }

    public static Options defaults(int nodes) {
      return new Options(nodes, "c5.xlarge", 180, 5, 30, 30, 60, true, Map.of());
    }
  }

  private final Path dir;
  private final Path dist;
  private final HttpClient http = HttpClient.newHttpClient();

  public LocalCluster(Path dir, Path dist) {
    this.dir = dir;
    this.dist = dist;
  }

  /** Where the cluster keeps its state and every process's log. */
  public Path dir() {
    return dir;
  }

  public Path descriptionFile() {
    return dir.resolve("cluster.json");
  }

  /** Starts everything; returns the cluster description (also written to cluster.json). */
  public JsonObject up(int nodes, java.util.function.Consumer<String> progress) throws Exception {
    return up(Options.defaults(nodes), progress);
  }

  public JsonObject up(Options opt, java.util.function.Consumer<String> progress) throws Exception {
    int nodes = opt.nodes();
    if (Files.exists(descriptionFile())) {
      throw new IllegalStateException(
          "a local cluster is already up in " + dir + " (run: vpc-cni-cli local down)");
    }
    if (nodes < 1 || nodes > 8) {
      throw new IllegalArgumentException("--nodes must be between 1 and 8, not " + nodes);
    }
    for (int k : opt.snat().keySet()) {
      if (k < 1 || k > nodes) {
        throw new IllegalArgumentException(
            "snat is set for node " + k + ", not one of 1.." + nodes);
      }
    }
    Files.createDirectories(dir);
    String prefix = "vl" + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36), 36);
    JsonObject d = JsonObject.create().put("prefix", prefix).put("dir", dir.toString());
    List<Object> pids = new ArrayList<>();
    d.put("pids", pids);
    try {
      progress.accept("starting the VPC emulator (namespaces " + prefix + "-*)");
      Process emu =
          start(
              "emulator",
              List.of(
                  dist.resolve("bin/vpc-cni-emulator").toString(),
                  "--port",
                  "0",
                  "--data-plane",
                  prefix));
      pids.add(emu.pid());
      String vpc = firstLine(dir.resolve("emulator.out"), emu);
      d.put("vpcUrl", vpc);

      progress.accept(
          "starting the Kubernetes API server stand-in (fabric8 mock server, CRUD mode)");
      Path kubeconfig = dir.resolve("kubeconfig");
      Process api =
          start(
              "apiserver",
              List.of(
                  dist.resolve("bin/vpc-cni-cli").toString(),
                  "local",
                  "apiserver",
                  "--kubeconfig",
                  kubeconfig.toString()));
      pids.add(api.pid());
      d.put("apiUrl", firstLine(dir.resolve("apiserver.out"), api));
      d.put("kubeconfig", kubeconfig.toString());

      progress.accept(
          "creating the VPC: network, subnet "
              + SUBNET
              + ", "
              + nodes
              + " instances and a VPC host");
      String net =
          post(vpc + "/v2.0/networks", "{\"network\":{\"name\":\"local-vpc\"}}")
              .object("network")
              .string("id");
      String subnet =
          post(
                  vpc + "/v2.0/subnets",
                  "{\"subnet\":{\"network_id\":\""
                      + net
                      + "\",\"cidr\":\""
                      + SUBNET
                      + "\",\"gateway_ip\":\""
                      + GATEWAY
                      + "\",\"ip_version\":4}}")
              .object("subnet")
              .string("id");
      d.put("networkId", net).put("subnetId", subnet);
      List<Object> nodeList = new ArrayList<>();
      for (int k = 1; k <= nodes; k++) {
        nodeList.add(instance(vpc, prefix, "node" + k, subnet, opt.instanceType()).map());
      }
      d.put("nodes", nodeList);
      d.put("vpcHost", instance(vpc, prefix, "vpchost", subnet, opt.instanceType()));

      progress.accept("registering the nodes with the API server");
      for (Object o : nodeList) {
        JsonObject n = JsonObject.of(cast(o));
        kubectlCreateNode(kubeconfig, n.string("name"), n.string("instanceId"));
      }

      progress.accept("starting the controller (provider openstack → emulator)");
      Path ccfg = dir.resolve("controller.json");
      Map<String, Object> settings = new LinkedHashMap<>();
      settings.put("endpoint.network", vpc + "/v2.0");
      settings.put("endpoint.compute", vpc + "/v2.1");
      settings.put("network", net);
      // the emulator's catalogue counts each ENI's primary IP; the SPI counts secondary IPs only
      for (JsonObject t : get(vpc + "/emulator/instance-types").objects("instance_types")) {
        settings.put(
            "flavor." + t.string("name"),
            t.integer("max_enis") + "x" + (t.integer("ips_per_eni") - 1));
      }
      Map<String, Object> warm = new LinkedHashMap<>();
      warm.put("warmIps", opt.warmIps());
      warm.put("releaseDelaySeconds", opt.releaseDelaySeconds());
      Map<String, Object> cc = new LinkedHashMap<>();
      cc.put("clusterId", "local-" + prefix);
      cc.put("provider", "openstack");
      cc.put("kubeconfig", kubeconfig.toString());
      cc.put("leaseNamespace", "default");
      cc.put("leaseDurationSeconds", 5);
      cc.put("metricsAddress", "127.0.0.1:0"); // one port per controller process on this host
      cc.put("resyncSeconds", 5);
      cc.put("subnetCacheSeconds", 5); // SubnetPool statuses and subnet counts within seconds
      cc.put("gcPeriodSeconds", opt.gcPeriodSeconds());
      cc.put("gcGraceSeconds", opt.gcGraceSeconds());
      cc.put("providerSettings", settings);
      cc.put("warmPool", warm);
      Files.writeString(ccfg, Json.write(cc));
      d.put("clusterId", "local-" + prefix);
      Process controller =
          start(
              "controller",
              List.of(
                  dist.resolve("bin/vpc-cni-controller").toString(), "--config", ccfg.toString()));
      pids.add(controller.pid());
      d.put("controllers", new ArrayList<Object>(List.of(controller.pid())));

      progress.accept("starting one agent per node");
      List<Process> agents = new ArrayList<>();
      for (int k = 1; k <= nodeList.size(); k++) {
        JsonObject n = JsonObject.of(cast(nodeList.get(k - 1)));
        String snat = opt.snat().get(k);
        Path nd = dir.resolve(n.string("name"));
        Files.createDirectories(nd);
        Path sock = nd.resolve("agent.sock");
        Path acfg = nd.resolve("agent.json");
        Files.writeString(
            acfg,
            "{\"node\":\""
                + n.string("name")
                + "\",\"socket\":\""
                + sock
                + "\",\"stateDir\":\""
                + nd.resolve("state")
                + "\",\"nodeNetns\":\"/run/netns/"
                + n.string("netns")
                + "\",\"eniSource\":\"kubernetes\",\"kubeconfig\":\""
                + kubeconfig
                + "\",\"devicePluginDir\":\""
                + nd.resolve("device-plugins")
                + "\",\"metricsAddress\":\"127.0.0.1:0\",\"ipCooldownSeconds\":"
                + opt.ipCooldownSeconds()
                + ",\"networkPolicy\":"
                + opt.networkPolicy()
                + (snat == null ? "" : ",\"snat\":" + snat)
                + "}");
        Process agent =
            start(
                n.string("name") + "-agent",
                List.of(dist.resolve("bin/vpc-cni-agent").toString(), "--config", acfg.toString()));
        pids.add(agent.pid());
        n.put("agentPid", agent.pid());
        Path conflist = nd.resolve("10-vpc-cni.conflist");
        Files.writeString(
            conflist,
            "{\"cniVersion\":\"1.0.0\",\"name\":\"vpc-cni\",\"plugins\":[{\"type\":\"vpc-cni\",\"agentSocket\":\""
                + sock
                + "\"}]}\n");
        n.put("agentSocket", sock.toString()).put("conflist", conflist.toString());
        agents.add(agent);
      }
      for (int i = 0; i < nodeList.size(); i++) {
        JsonObject n = JsonObject.of(cast(nodeList.get(i)));
        waitForSocket(
            Path.of(n.string("agentSocket")),
            agents.get(i),
            dir.resolve(n.string("name") + "-agent.log"));
      }
      writeDescription(d);
      return d;
    } catch (Exception e) {
      writeDescription(d);
      down(s -> {});
      throw e;
    }
  }

  /**
   * Writes cluster.json whole or not at all (temp file, rename): a test may read it from one thread
   * while killing a controller from another.
   */
  private void writeDescription(JsonObject d) throws IOException {
    Path tmp = dir.resolve("cluster.json.tmp");
    Files.writeString(tmp, d.toString());
    Files.move(
        tmp,
        descriptionFile(),
        java.nio.file.StandardCopyOption.ATOMIC_MOVE,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  private JsonObject instance(String vpc, String prefix, String name, String subnet, String type)
      throws Exception {
    JsonObject inst =
        post(
                vpc + "/emulator/instances",
                "{\"instance\":{\"name\":\""
                    + name
                    + "\",\"instance_type\":\""
                    + type
                    + "\",\"subnet_id\":\""
                    + subnet
                    + "\"}}")
            .object("instance");
    JsonObject port = get(vpc + "/v2.0/ports/" + inst.string("primary_port_id")).object("port");
    String ip = port.objects("fixed_ips").get(0).string("ip_address");
    String ns = prefix + "-" + name;
    // What cloud-init/DHCP does on a VM: address the primary interface, route via the gateway.
    run("ip", "-n", ns, "addr", "add", ip + "/16", "dev", "eth0");
    run("ip", "-n", ns, "link", "set", "eth0", "up");
    run("ip", "-n", ns, "route", "add", "default", "via", GATEWAY, "dev", "eth0");
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    m.put("instanceId", inst.string("id"));
    m.put("netns", ns);
    m.put("ip", ip);
    return JsonObject.of(m);
  }

  private void kubectlCreateNode(Path kubeconfig, String name, String instanceId) throws Exception {
    String kc = Files.readString(kubeconfig);
    try (var c =
        new io.fabric8.kubernetes.client.KubernetesClientBuilder()
            .withConfig(io.fabric8.kubernetes.client.Config.fromKubeconfig(kc))
            .build()) {
      c.nodes()
          .resource(
              new io.fabric8.kubernetes.api.model.NodeBuilder()
                  .withNewMetadata()
                  .withName(name)
                  .endMetadata()
                  .withNewSpec()
                  .withProviderID("openstack:///" + instanceId)
                  .endSpec()
                  .build())
          .create();
    }
  }

  /**
   * Creates one more subnet in the cluster's VPC network, as an operator adds subnets for
   * SubnetPools: gateway {@code .1} of the CIDR, addresses handed out from {@code poolStart} to
   * {@code poolEnd} (both inclusive; null for the whole CIDR but the gateway). The emulator's
   * fabric routes every subnet of the network, so pods in it reach the rest of the VPC. Returns the
   * subnet id; {@code cluster.json} lists it under {@code subnets}.
   */
  public String subnet(String cidr, String poolStart, String poolEnd) throws Exception {
    if ((poolStart == null) != (poolEnd == null)) {
      throw new IllegalArgumentException("subnet " + cidr + ": give both poolStart and poolEnd");
    }
    JsonObject d = Json.parseObject(Files.readString(descriptionFile()));
    String base = cidr.substring(0, cidr.indexOf('/'));
    String gateway = base.substring(0, base.lastIndexOf('.') + 1) + (lastOctet(base) + 1);
    String pools =
        poolStart == null
            ? ""
            : ",\"allocation_pools\":[{\"start\":\""
                + poolStart
                + "\",\"end\":\""
                + poolEnd
                + "\"}]";
    String id =
        post(
                d.string("vpcUrl") + "/v2.0/subnets",
                "{\"subnet\":{\"network_id\":\""
                    + d.string("networkId")
                    + "\",\"cidr\":\""
                    + cidr
                    + "\",\"gateway_ip\":\""
                    + gateway
                    + "\",\"ip_version\":4"
                    + pools
                    + "}}")
            .object("subnet")
            .string("id");
    List<Object> subnets = new ArrayList<>(d.has("subnets") ? d.list("subnets") : List.of());
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", id);
    m.put("cidr", cidr);
    m.put("gateway", gateway);
    subnets.add(m);
    d.put("subnets", subnets);
    writeDescription(d);
    return id;
  }

  private static int lastOctet(String ip) {
    return Integer.parseInt(ip.substring(ip.lastIndexOf('.') + 1));
  }

  /** The pids of the controller replicas this cluster started that have not been killed. */
  public List<Long> controllerPids() throws IOException {
    return Json.parseObject(Files.readString(descriptionFile())).list("controllers").stream()
        .map(p -> ((Number) p).longValue())
        .toList();
  }

  /**
   * Starts one more controller replica with the same {@code controller.json}, as a second pod of
   * the Deployment would be; leader election decides which replica acts. Its log is {@code
   * controller-<n>.log}; {@link #down} stops it. Returns its pid (the controller JVM's own).
   */
  public long startController() throws Exception {
    JsonObject d = Json.parseObject(Files.readString(descriptionFile()));
    int n = 2;
    while (Files.exists(dir.resolve("controller-" + n + ".log"))) {
      n++;
    }
    Process p =
        start(
            "controller-" + n,
            List.of(
                dist.resolve("bin/vpc-cni-controller").toString(),
                "--config",
                dir.resolve("controller.json").toString()));
    List<Object> pids = new ArrayList<>(d.list("pids"));
    pids.add(p.pid());
    List<Object> controllers = new ArrayList<>(d.list("controllers"));
    controllers.add(p.pid());
    d.put("pids", pids).put("controllers", controllers);
    writeDescription(d);
    return p.pid();
  }

  /**
   * SIGKILLs one controller replica of this cluster: it dies between any two instructions and
   * releases nothing, not even its Lease. Waits (at most 10 s) until it is gone. Refuses a pid that
   * is not one of {@link #controllerPids}, so it can never kill anything else.
   */
  public void killController(long pid) throws Exception {
    JsonObject d = Json.parseObject(Files.readString(descriptionFile()));
    List<Object> controllers = new ArrayList<>(d.list("controllers"));
    if (!controllers.removeIf(p -> ((Number) p).longValue() == pid)) {
      throw new IllegalArgumentException(
          "pid " + pid + " is not a controller of this cluster; controllers: " + controllers);
    }
    Optional<ProcessHandle> h = ProcessHandle.of(pid);
    if (h.isPresent()) {
      h.get().destroyForcibly(); // SIGKILL on Linux
      h.get().onExit().get(10, TimeUnit.SECONDS);
    }
    List<Object> pids = new ArrayList<>(d.list("pids"));
    pids.removeIf(p -> ((Number) p).longValue() == pid); // down must not signal a reused pid
    d.put("pids", pids).put("controllers", controllers);
    writeDescription(d);
  }

  /**
   * Stops node {@code node}'s agent (SIGTERM, or SIGKILL when {@code kill}: it dies between any two
   * instructions) and starts a new one with the same {@code agent.json}, as the DaemonSet would
   * after a crash or a rolling update. Its log goes on in {@code nodeK-agent.log}. Returns once the
   * new agent's socket is up (at most 60 s); its pid replaces the old one in cluster.json.
   */
  public long restartAgent(int node, boolean kill) throws Exception {
    JsonObject d = Json.parseObject(Files.readString(descriptionFile()));
    List<JsonObject> nodes = d.objects("nodes");
    if (node < 1 || node > nodes.size()) {
      throw new IllegalArgumentException("node must be 1.." + nodes.size());
    }
    JsonObject n = nodes.get(node - 1);
    long old = n.integer("agentPid");
    Optional<ProcessHandle> h = ProcessHandle.of(old);
    if (h.isPresent()) {
      if (kill) {
        h.get().destroyForcibly();
      } else {
        h.get().destroy();
      }
      h.get().onExit().get(30, TimeUnit.SECONDS);
    }
    Path sock = Path.of(n.string("agentSocket"));
    Files.deleteIfExists(sock); // a SIGKILLed agent leaves its socket file: wait for the new one
    String name = n.string("name");
    Path log = dir.resolve(name + "-agent.log");
    Process agent =
        new ProcessBuilder(
                "setsid",
                dist.resolve("bin/vpc-cni-agent").toString(),
                "--config",
                dir.resolve(name).resolve("agent.json").toString())
            .redirectOutput(
                ProcessBuilder.Redirect.appendTo(dir.resolve(name + "-agent.out").toFile()))
            .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
    List<Object> pids = new ArrayList<>(d.list("pids"));
    pids.removeIf(p -> ((Number) p).longValue() == old); // down must not signal a reused pid
    pids.add(agent.pid());
    n.put("agentPid", agent.pid()); // n views d's node entry
    d.put("pids", pids);
    writeDescription(d);
    waitForSocket(sock, agent, log);
    return agent.pid();
  }

  /**
   * SIGTERMs one controller replica of this cluster, as a rolling update or a drain does: it stops
   * syncing and gives its Lease up before it exits. Waits (at most 20 s) until it is gone. Refuses
   * a pid that is not one of {@link #controllerPids}.
   */
  public void stopController(long pid) throws Exception {
    JsonObject d = Json.parseObject(Files.readString(descriptionFile()));
    List<Object> controllers = new ArrayList<>(d.list("controllers"));
    if (!controllers.removeIf(p -> ((Number) p).longValue() == pid)) {
      throw new IllegalArgumentException(
          "pid " + pid + " is not a controller of this cluster; controllers: " + controllers);
    }
    Optional<ProcessHandle> h = ProcessHandle.of(pid);
    if (h.isPresent()) {
      h.get().destroy(); // SIGTERM on Linux
      h.get().onExit().get(20, TimeUnit.SECONDS);
    }
    List<Object> pids = new ArrayList<>(d.list("pids"));
    pids.removeIf(p -> ((Number) p).longValue() == pid);
    d.put("pids", pids).put("controllers", controllers);
    writeDescription(d);
  }

  /** Stops every process and removes every namespace and file of the cluster. */
  public void down(java.util.function.Consumer<String> progress) throws Exception {
    if (!Files.exists(descriptionFile())) {
      progress.accept("no local cluster in " + dir);
      return;
    }
    JsonObject d = Json.parseObject(Files.readString(descriptionFile()));
    List<Object> pids = d.list("pids");
    progress.accept("stopping " + pids.size() + " processes");
    for (int i = pids.size() - 1; i >= 0; i--) {
      ProcessHandle.of(((Number) pids.get(i)).longValue()).ifPresent(ProcessHandle::destroy);
    }
    for (Object p : pids) {
      ProcessHandle.of(((Number) p).longValue())
          .ifPresent(
              h -> {
                try {
                  h.onExit().get(15, TimeUnit.SECONDS);
                } catch (Exception e) {
                  h.destroyForcibly();
                }
              });
    }
    String prefix = d.string("prefix");
    progress.accept("removing namespaces " + prefix + "-*");
    for (String line : run("ip", "netns", "list").split("\n")) {
      String ns = line.split(" ")[0];
      if (ns.startsWith(prefix + "-")) {
        run("ip", "netns", "del", ns);
      }
    }
    try (var files = Files.walk(dir)) {
      for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(f);
      }
    }
  }

  /**
   * Runs a pod namespace through the real CNI binary, exactly as a runtime would (env + stdin), for
   * a pod named {@code name} in namespace {@code default} with no labels. See {@link #pod(String,
   * io.fabric8.kubernetes.api.model.Pod, int)}.
   */
  public String pod(String verb, String name, int node) throws Exception {
    return pod(
        verb,
        new io.fabric8.kubernetes.api.model.PodBuilder()
            .withNewMetadata()
            .withNamespace("default")
            .withName(name)
            .endMetadata()
            .build(),
        node);
  }

  /**
   * What the kubelet and the API server do around CNI, in their order: ADD creates the Pod object
   * (with the given metadata and container ports, {@code spec.nodeName} set to the node, its
   * namespace created first when missing, labelled {@code kubernetes.io/metadata.name} as the API
   * server does), creates the pod's network namespace, execs the real CNI binary, then writes
   * {@code status.podIP} from the result. DEL execs the binary, removes the namespace and deletes
   * the Pod object. An ADD that fails leaves the Pod object in place, as a pod whose sandbox cannot
   * start stays in the API; a DEL of it removes it.
   *
   * @param pod the Pod object's metadata (namespace, name, labels, annotations, ownerReferences)
   *     and, optionally, its containers (for named ports); its namespace defaults to {@code
   *     default}
   * @return the CNI result (ADD) or the binary's output (DEL)
   */
  public String pod(String verb, io.fabric8.kubernetes.api.model.Pod pod, int node)
      throws Exception {
    return pod(verb, pod, node, netns -> {});
  }

  /**
   * {@link #pod(String, io.fabric8.kubernetes.api.model.Pod, int)}, calling {@code sandboxReady}
   * with the pod's network namespace name once it exists and before the CNI binary runs: what a
   * runtime does between creating the sandbox and calling CNI, so a test can start a process in the
   * pod before it has any interface.
   */
  public String pod(
      String verb,
      io.fabric8.kubernetes.api.model.Pod pod,
      int node,
      java.util.function.Consumer<String> sandboxReady)
      throws Exception {
    JsonObject d = Json.parseObject(Files.readString(descriptionFile()));
    List<JsonObject> nodes = d.objects("nodes");
    if (node < 1 || node > nodes.size()) {
      throw new IllegalArgumentException("--node must be 1.." + nodes.size());
    }
    JsonObject n = nodes.get(node - 1);
    String namespace =
        pod.getMetadata().getNamespace() == null ? "default" : pod.getMetadata().getNamespace();
    String name = pod.getMetadata().getName();
    String ns = podNetns(d.string("prefix"), namespace, name);
    try (var kube = kube(d)) {
      if (verb.equals("ADD")) {
        createPodObject(kube, pod, namespace, n.string("name"));
        run("ip", "netns", "add", ns);
        run("ip", "-n", ns, "link", "set", "lo", "up");
        sandboxReady.accept(ns);
      }
      String out = cni(verb, n, ns, namespace, name);
      if (verb.equals("ADD")) {
        String a = Json.parseObject(out).objects("ips").get(0).string("address");
        String ip = a.substring(0, a.indexOf('/'));
        var stored = kube.pods().inNamespace(namespace).withName(name).get();
        stored.setStatus(
            new io.fabric8.kubernetes.api.model.PodStatusBuilder()
                .withPhase("Running")
                .withPodIP(ip)
                .withPodIPs(new io.fabric8.kubernetes.api.model.PodIP(ip))
                .withHostIP(n.string("ip"))
                .build());
        kube.pods().inNamespace(namespace).resource(stored).updateStatus();
      } else {
        kube.pods().inNamespace(namespace).withName(name).delete();
      }
      return out;
    }
  }

  /**
   * Creates namespace {@code name} with these labels (plus {@code kubernetes.io/metadata.name}), or
   * replaces the labels of an existing one: what namespaceSelector-based policies select on.
   */
  public void namespace(String name, Map<String, String> labels) throws Exception {
    JsonObject d = Json.parseObject(Files.readString(descriptionFile()));
    try (var kube = kube(d)) {
      Map<String, String> all = new LinkedHashMap<>(labels);
      all.put("kubernetes.io/metadata.name", name);
      var existing = kube.namespaces().withName(name).get();
      if (existing == null) {
        kube.namespaces()
            .resource(
                new io.fabric8.kubernetes.api.model.NamespaceBuilder()
                    .withNewMetadata()
                    .withName(name)
                    .withLabels(all)
                    .endMetadata()
                    .build())
            .create();
      } else {
        existing.getMetadata().setLabels(all);
        kube.namespaces().resource(existing).update();
      }
    }
  }

  /**
   * The network namespace of a pod: {@code <prefix>-pod-<name>} in namespace {@code default}, else
   * {@code <prefix>-pod-<namespace>_<name>} ('_' is in no Kubernetes name, so no two pods share
   * one).
   */
  public String podNetns(String namespace, String name) throws IOException {
    return podNetns(
        Json.parseObject(Files.readString(descriptionFile())).string("prefix"), namespace, name);
  }

  private static String podNetns(String prefix, String namespace, String name) {
    return prefix + "-pod-" + (namespace.equals("default") ? name : namespace + "_" + name);
  }

  private static io.fabric8.kubernetes.client.KubernetesClient kube(JsonObject d)
      throws IOException {
    String kc = Files.readString(Path.of(d.string("kubeconfig")));
    return new io.fabric8.kubernetes.client.KubernetesClientBuilder()
        .withConfig(io.fabric8.kubernetes.client.Config.fromKubeconfig(kc))
        .build();
  }

  private static void createPodObject(
      io.fabric8.kubernetes.client.KubernetesClient kube,
      io.fabric8.kubernetes.api.model.Pod pod,
      String namespace,
      String nodeName) {
    if (kube.namespaces().withName(namespace).get() == null) {
      kube.namespaces()
          .resource(
              new io.fabric8.kubernetes.api.model.NamespaceBuilder()
                  .withNewMetadata()
                  .withName(namespace)
                  .addToLabels("kubernetes.io/metadata.name", namespace)
                  .endMetadata()
                  .build())
          .create();
    }
    String name = pod.getMetadata().getName();
    if (kube.pods().inNamespace(namespace).withName(name).get() != null) {
      return; // a retried ADD of the same sandbox: the kubelet does not recreate the Pod
    }
    var b =
        new io.fabric8.kubernetes.api.model.PodBuilder(pod)
            .editMetadata()
            .withNamespace(namespace)
            .endMetadata();
    var spec =
        pod.getSpec() == null
            ? new io.fabric8.kubernetes.api.model.PodSpec()
            : new io.fabric8.kubernetes.api.model.PodSpecBuilder(pod.getSpec()).build();
    if (spec.getContainers() == null || spec.getContainers().isEmpty()) {
      spec.setContainers(
          List.of(
              new io.fabric8.kubernetes.api.model.ContainerBuilder()
                  .withName("app")
                  .withImage("local")
                  .build()));
    }
    spec.setNodeName(nodeName);
    kube.pods().inNamespace(namespace).resource(b.withSpec(spec).build()).create();
  }

  private String cni(String verb, JsonObject n, String ns, String namespace, String name)
      throws Exception {
    String conf =
        "{\"cniVersion\":\"1.0.0\",\"name\":\"vpc-cni\",\"type\":\"vpc-cni\",\"agentSocket\":\""
            + n.string("agentSocket")
            + "\"}";
    ProcessBuilder pb = new ProcessBuilder(dist.resolve("cni/vpc-cni").toString());
    pb.environment().clear();
    pb.environment()
        .putAll(
            Map.of(
                "CNI_COMMAND",
                verb,
                "CNI_CONTAINERID",
                "local-" + (namespace.equals("default") ? name : namespace + "-" + name),
                "CNI_NETNS",
                "/run/netns/" + ns,
                "CNI_IFNAME",
                "eth0",
                "CNI_PATH",
                dist.resolve("cni").toString(),
                "CNI_ARGS",
                "K8S_POD_NAMESPACE=" + namespace + ";K8S_POD_NAME=" + name,
                "PATH",
                "/usr/sbin:/usr/bin:/sbin:/bin"));
    Process p = pb.start();
    try (OutputStream in = p.getOutputStream()) {
      in.write(conf.getBytes(StandardCharsets.UTF_8));
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(
          "CNI " + verb + " of pod " + namespace + "/" + name + " did not exit within 120 s");
    }
    if (verb.equals("DEL")) {
      run("ip", "netns", "del", ns);
    }
    if (p.exitValue() != 0) {
      throw new IllegalStateException(
          "CNI " + verb + " of pod " + namespace + "/" + name + " failed: " + out.strip());
    }
    return out;
  }

  private Process start(String name, List<String> cmd) throws IOException {
    List<String> full = new ArrayList<>();
    full.add("setsid"); // its own session: the cluster outlives this CLI process
    full.addAll(cmd);
    return new ProcessBuilder(full)
        .redirectOutput(dir.resolve(name + ".out").toFile())
        .redirectError(dir.resolve(name + ".log").toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
        .start();
  }

  private static String firstLine(Path out, Process p) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (Files.exists(out)) {
        String s = Files.readString(out);
        int nl = s.indexOf('\n');
        if (nl > 0) {
          return s.substring(0, nl).strip();
        }
      }
      if (!p.isAlive()) {
        throw new IllegalStateException("process exited early; see " + out.getParent());
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("no address from " + out + " within 60 s");
  }

  private static void waitForSocket(Path sock, Process p, Path log) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (Files.exists(sock)) {
        return;
      }
      if (!p.isAlive()) {
        throw new IllegalStateException("agent exited early; see " + log);
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("agent socket " + sock + " not ready within 60 s; see " + log);
  }

  private JsonObject post(String url, String body) throws Exception {
    return send(
        HttpRequest.newBuilder(URI.create(url))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  private JsonObject get(String url) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(url)).GET());
  }

  private JsonObject send(HttpRequest.Builder b) throws Exception {
    HttpResponse<String> r =
        http.send(b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() / 100 != 2) {
      throw new IllegalStateException(
          r.request().method()
              + " "
              + r.request().uri()
              + " → "
              + r.statusCode()
              + ": "
              + r.body());
    }
    return Json.parseObject(r.body());
  }

  static String run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out.strip());
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> cast(Object o) {
    return o instanceof JsonObject j ? j.map() : (Map<String, Object>) o;
  }
}
