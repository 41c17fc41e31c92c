package io.vpccni.agent;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.vpccni.agent.cni.CniService;
import io.vpccni.agent.config.AgentConfig;
import io.vpccni.agent.config.EniSpec;
import io.vpccni.agent.config.StaticEniSource;
import io.vpccni.agent.datapath.Datapath;
import io.vpccni.agent.datapath.DatapathException;
import io.vpccni.agent.datapath.Names;
import io.vpccni.agent.datapath.NodeNetwork;
import io.vpccni.agent.datapath.PauseAtStep;
import io.vpccni.agent.datapath.Steps;
import io.vpccni.agent.datapath.exclusive.ExclusiveEniDatapath;
import io.vpccni.agent.datapath.ipvlan.IpvlanDatapath;
import io.vpccni.agent.datapath.veth.SharedVethDatapath;
import io.vpccni.agent.deviceplugin.DevicePlugin;
import io.vpccni.agent.introspect.Introspection;
import io.vpccni.agent.k8s.FixedIps;
import io.vpccni.agent.k8s.NodeEniSource;
import io.vpccni.agent.k8s.PodEvents;
import io.vpccni.agent.k8s.PodPools;
import io.vpccni.agent.k8s.StatusReporter;
import io.vpccni.agent.metrics.AgentMetrics;
import io.vpccni.agent.metrics.Timings;
import io.vpccni.agent.pool.IpPool;
import io.vpccni.agent.reconcile.Reconciler;
import io.vpccni.agent.server.AgentServer;
import io.vpccni.agent.store.Allocation;
import io.vpccni.agent.store.CheckpointStore;
import io.vpccni.agentapi.AgentRequest;
import io.vpccni.agentapi.AgentResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the agent by constructor: config → ENIs → node network → datapath → store → pool →
 * reconcile → socket. Usage: {@code vpc-cni-agent --config /etc/vpc-cni/agent.json} (or {@code
 * --help}, {@code --version}, which print to stderr: stdout belongs to nobody).
 */
public final class AgentMain {
  private static final Logger logger = LoggerFactory.getLogger(AgentMain.class);

  private AgentMain() {}

  public static void main(String[] args) throws Exception {
    Path configPath = null;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--config") && i + 1 < args.length) {
        configPath = Path.of(args[++i]);
      } else if (args[i].equals("--help")) {
        System.err.println("usage: vpc-cni-agent --config FILE   (keys: docs/agent-config.md)");
        return;
      } else if (args[i].equals("--version")) {
        System.err.println("vpc-cni-agent " + version());
        return;
      } else {
        System.err.println("vpc-cni-agent: unknown argument " + args[i] + " (try --help)");
        System.exit(2);
      }
    }
    if (configPath == null) {
      System.err.println("vpc-cni-agent: --config FILE is required");
      System.exit(2);
    }
    try {
      run(AgentConfig.load(configPath));
    } catch (IllegalArgumentException | DatapathException e) {
      logger.error("vpc-cni agent cannot start: {}", e.getMessage());
      System.exit(1);
    }
  }

  /** The version Maven packaged this class with (its jar's pom.properties), or "unknown". */
  static String version() {
    var props = new java.util.Properties();
    try (var in =
        AgentMain.class.getResourceAsStream("/META-INF/maven/io.vpccni/agent/pom.properties")) {
      if (in != null) {
        props.load(in);
      }
    } catch (java.io.IOException e) {
      // unreadable: unknown
    }
    return props.getProperty("version", "unknown");
  }

  static KubernetesClient kubernetesClient(AgentConfig config) throws java.io.IOException {
    KubernetesClientBuilder b = new KubernetesClientBuilder();
    if (config.kubeconfig() != null) {
      b.withConfig(Config.fromKubeconfig(Files.readString(config.kubeconfig())));
    }
    return b.build();
  }

  /** The kubelet device plugin if the config wants it and the platform allows it, else null. */
  static DevicePlugin devicePlugin(AgentConfig config) {
    if (!config.devicePlugin()) {
      logger.info("device plugin disabled by the config (devicePlugin: false)");
      return null;
    }
    try {
      DevicePlugin p =
          DevicePlugin.create(config.devicePluginDir(), config.mode(), DevicePlugin.Timing.DEFAULT);
      logger.info(
          "device plugin {} will register with {}",
          p.resource(),
          config.devicePluginDir().resolve(DevicePlugin.KUBELET_SOCKET));
      return p;
    } catch (IllegalStateException e) {
      logger.error("device plugin not started: {}", e.getMessage());
      return null;
    }
  }

  static void run(AgentConfig config) throws Exception {
    boolean fromKubernetes = config.eniSource().equals("kubernetes");
    List<EniSpec> enis = fromKubernetes ? List.of() : StaticEniSource.load(config.enisFile());
    NodeNetwork node = new NodeNetwork(config.nodeNetns(), config.routeTableBase());
    node.prepare();
    Datapath datapath;
    Function<Allocation.Key, String> hostIf;
    switch (config.mode()) {
      case SHARED -> {
        datapath = new SharedVethDatapath(node, config.mtu());
        hostIf = k -> Names.hostVeth(k.containerId(), k.ifName());
        enis.forEach(node::setupEni);
      }
      case EXCLUSIVE -> {
        datapath = new ExclusiveEniDatapath(node, config.mtu());
        hostIf = k -> Names.nodeVeth(k.containerId(), k.ifName());
      }
      case IPVLAN -> {
        datapath = IpvlanDatapath.create(); // throws with the probe's cause where unsupported
        hostIf = k -> "";
      }
      default -> throw new IllegalStateException();
    }
    Steps steps = PauseAtStep.fromEnv();
    if (steps != Steps.NONE) {
      logger.warn("TEST HOOK ENABLED: ADD pauses at step {}", ((PauseAtStep) steps).step());
    }
    CheckpointStore store = new CheckpointStore(config.stateDir());
    IpPool pool = new IpPool(enis, config.mode(), store, Clock.systemUTC(), config.ipCooldown());
    if (config.ipCooldown().toSeconds() < 120) {
      logger.warn(
          "ipCooldownSeconds {} is below conntrack's SYN_SENT timeout (120 s): a reused IP may receive a dead pod's packets",
          config.ipCooldown().toSeconds());
    }
    // shared mode: NodePort replies and SNAT leave through the primary interface (table ip
    // vpccni_nat)
    io.vpccni.agent.snat.SnatManager snat =
        config.mode() != io.vpccni.agent.config.Mode.SHARED
            ? null
            : new io.vpccni.agent.snat.SnatManager(
                config.snat(),
                node,
                new io.vpccni.agent.policy.Nft(
                    "nft", java.util.Optional.ofNullable(config.nodeNetns())),
                () -> pool.enis().stream().map(EniSpec::subnet).toList());
    if (snat != null) {
      snat.start(java.time.Duration.ofSeconds(10)); // and again after every NodeENI change
    }
    Timings timings = new Timings();
    AgentMetrics metrics = new AgentMetrics(pool);
    CniService cni =
        new CniService(
            config.node(), pool, datapath, hostIf, steps, Clock.systemUTC(), timings, metrics);
    Introspection introspection = new Introspection(config, pool, timings);
    DevicePlugin plugin = devicePlugin(config);
    if (plugin != null) {
      metrics.devicePlugin(plugin.resource(), plugin::count, plugin::registrations);
    }
    KubernetesClient kube = null;
    NodeEniSource source = null;
    StatusReporter reporter = null;
    PodPools podPools = null;
    FixedIps fixedIps = null;
    if (fromKubernetes) {
      kube = kubernetesClient(config);
      CountDownLatch first = new CountDownLatch(1);
      boolean shared = config.mode() == io.vpccni.agent.config.Mode.SHARED;
      source =
          new NodeEniSource(
              kube,
              config.node(),
              list -> {
                if (shared) {
                  list.forEach(node::setupEni);
                }
                List<?> orphaned = pool.updateEnis(list);
                if (!orphaned.isEmpty()) {
                  logger.warn("IPs in use are no longer offered by the NodeENI spec: {}", orphaned);
                }
                if (snat != null) {
                  snat.sync();
                }
                first.countDown();
              });
      if (plugin != null) {
        source.onSpec(plugin::update);
      }
      source.start();
      if (!first.await(10, TimeUnit.SECONDS)) {
        logger.warn(
            "no NodeENI for node {} yet: starting with an empty pool until the controller writes one",
            config.node());
      }
      reporter = new StatusReporter(kube, config.node(), pool, source, Clock.systemUTC());
      podPools = new PodPools(kube);
      podPools.start();
      NodeEniSource conditions = source;
      cni.useSubnetPools(
          podPools,
          new PodEvents(
              kube,
              config.node(),
              conditions::conditions,
              Clock.systemUTC(),
              java.time.Duration.ofSeconds(30)));
      if (config.mode() != io.vpccni.agent.config.Mode.EXCLUSIVE) {
        // fixed IPs: the reservations' addresses are in the pool before the first ADD
        fixedIps = new FixedIps(kube, config.node(), config.fixedIpTtl(), pool, Clock.systemUTC());
        if (fixedIps.start()) {
          cni.useFixedIps(fixedIps, conditions::subnetIdOf);
        }
      }
    }
    io.vpccni.agent.policy.PolicyEnforcer policy = null;
    if (config.networkPolicy()) {
      var nft =
          new io.vpccni.agent.policy.Nft("nft", java.util.Optional.ofNullable(config.nodeNetns()));
      policy =
          new io.vpccni.agent.policy.PolicyEnforcer(
              kube,
              () ->
                  pool.all().stream()
                      .map(
                          a ->
                              new io.vpccni.agent.policy.PolicyEnforcer.LocalPod(
                                  a.podRef(), a.ip()))
                      .toList(),
              nft,
              io.vpccni.agent.policy.PolicyEnforcer.AGENT_DEBOUNCE,
              metrics.policy());
      io.vpccni.agent.policy.PolicyEnforcer p = policy;
      introspection.setPolicy(p::state);
      cni.setPolicyGate(
          new CniService.PolicyGate() {
            @Override
            public void admit(
                String podRef,
                io.vpccni.netaddr.IpAddress ip,
                io.fabric8.kubernetes.api.model.Pod readByAdd)
                throws java.io.IOException {
              p.admit(podRef, ip, readByAdd);
            }

            @Override
            public void released() {
              p.enforceSoon();
            }
          });
      // ADDs are refused (the runtime retries) until the watches have synced; DEL works meanwhile
      Thread.ofPlatform()
          .name("policy-start")
          .daemon(true)
          .start(
              () -> {
                try {
                  p.start(java.time.Duration.ofMinutes(5));
                  logger.info("NetworkPolicy enforcement in force");
                } catch (java.io.IOException e) {
                  logger.error("NetworkPolicy enforcement did not start: {}", e.getMessage());
                }
              });
    }
    metrics.reconciled(new Reconciler(pool, datapath, node).run());
    if (fixedIps != null && fixedIps.enabled()) {
      // a reservation Bound here whose pod holds no IP here (a crash mid-ADD or mid-DEL): Released
      fixedIps.sweep();
      FixedIps sweeper = fixedIps;
      Thread.ofPlatform()
          .name("fixed-ip-sweep")
          .daemon(true)
          .start(
              () -> {
                while (true) {
                  try {
                    Thread.sleep(30_000);
                    sweeper.sweep();
                  } catch (InterruptedException e) {
                    return;
                  } catch (RuntimeException e) {
                    logger.warn("fixed-IP sweep failed: {}", e.toString());
                  }
                }
              });
    }
    if (reporter != null) {
      reporter.start(2000);
    }
    if (!config.metricsAddress().isEmpty()) {
      int port = metrics.serve(config.metricsAddress());
      introspection.setMetricsPort(port);
      logger.info("Prometheus metrics on {} (port {})", config.metricsAddress(), port);
    }
    Function<AgentRequest, AgentResponse> dispatch =
        req -> Introspection.VERB.equals(req.verb()) ? introspection.handle() : cni.handle(req);
    AgentServer server = new AgentServer(config.socket(), dispatch);
    cni.setReady(true);
    server.start();
    if (plugin != null) {
      if (!fromKubernetes) {
        // a static ENI file: what it lists is all the node will ever have
        plugin.advertise(
            config.mode() == io.vpccni.agent.config.Mode.EXCLUSIVE
                ? pool.enis().size()
                : pool.stats().total());
      }
      plugin.start();
    }
    logger.info(
        "vpc-cni agent ready on node {} in {} mode: {}",
        config.node(),
        config.mode().key(),
        pool.stats());
    CountDownLatch stop = new CountDownLatch(1);
    StatusReporter closeReporter = reporter;
    io.vpccni.agent.policy.PolicyEnforcer closePolicy = policy;
    NodeEniSource closeSource = source;
    PodPools closePools = podPools;
    FixedIps closeFixed = fixedIps;
    KubernetesClient closeKube = kube;
    DevicePlugin closePlugin = plugin;
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  logger.info("vpc-cni agent stopping");
                  server.close();
                  if (closePlugin != null) {
                    closePlugin.close();
                  }
                  metrics.close();
                  if (snat != null) {
                    snat.close(); // the rules stay in the kernel for the next agent
                  }
                  if (closePolicy != null) {
                    closePolicy.close(); // the rules stay in the kernel for the next agent
                  }
                  if (closeReporter != null) {
                    closeReporter.close();
                  }
                  if (closeSource != null) {
                    closeSource.close();
                  }
                  if (closePools != null) {
                    closePools.close();
                  }
                  if (closeFixed != null) {
                    closeFixed.close();
                  }
                  if (closeKube != null) {
                    closeKube.close();
                  }
                  stop.countDown();
                }));
    stop.await();
  }
}
