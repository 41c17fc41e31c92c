package io.vpccni.controller;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.vpccni.cloud.ObservedVpcApi;
import io.vpccni.cloud.RateLimitedVpcApi;
import io.vpccni.cloud.RetryingVpcApi;
import io.vpccni.cloud.VpcApi;
import io.vpccni.cloud.VpcApis;
import io.vpccni.cloud.ratelimit.RateLimiter;
import io.vpccni.cloud.retry.RetryPolicy;
import io.vpccni.controller.config.ControllerConfig;
import io.vpccni.controller.gc.EniGarbageCollector;
import io.vpccni.controller.leader.Leadership;
import io.vpccni.controller.metrics.ControllerMetrics;
import io.vpccni.controller.pools.PoolController;
import io.vpccni.controller.pools.SubnetCache;
import io.vpccni.controller.pools.SubnetChooser;
import io.vpccni.controller.pools.SubnetPoolStatusWriter;
import io.vpccni.controller.pools.VpcApiNodeOperations;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the controller by constructor: config → cloud provider (rate-limited, retried) → node
 * operations → pool loop and ENI GC, run only while this replica holds the Lease. Usage: {@code
 * vpc-cni-controller --config /etc/vpc-cni/controller.json}.
 */
public final class ControllerMain {
  private static final Logger logger = LoggerFactory.getLogger(ControllerMain.class);

  /** Label an operator may set when a node's spec.providerID does not end in its instance id. */
  public static final String INSTANCE_LABEL = "vpc-cni.io/instance-id";

  private ControllerMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 1 && args[0].equals("--version")) {
      System.err.println("vpc-cni-controller " + version());
      return;
    }
    if (args.length == 1 && args[0].equals("--help")) {
      System.err.println(
          "usage: vpc-cni-controller --config FILE   (keys: docs/controller-config.md)");
      return;
    }
    if (args.length != 2 || !args[0].equals("--config")) {
      System.err.println(
          "usage: vpc-cni-controller --config FILE   (keys: docs/controller-config.md)");
      System.exit(2);
    }
    ControllerConfig config;
    try {
      config = ControllerConfig.load(Path.of(args[1]));
    } catch (IllegalArgumentException e) {
      logger.error("vpc-cni controller cannot start: {}", e.getMessage());
      System.exit(1);
      return;
    }
    try (Running r = start(config)) {
      // SIGTERM (a rolling update, a drain): stop syncing, then give the Lease up, so the standby
      // takes over at once instead of after the lease duration.
      Runtime.getRuntime()
          .addShutdownHook(Thread.ofPlatform().name("shutdown").unstarted(r::close));
      r.stopped.await();
    }
  }

  /** The version Maven packaged this class with (its jar's pom.properties), or "unknown". */
  static String version() {
    var props = new java.util.Properties();
    try (var in =
        ControllerMain.class.getResourceAsStream(
            "/META-INF/maven/io.vpccni/controller/pom.properties")) {
      if (in != null) {
        props.load(in);
      }
    } catch (java.io.IOException e) {
      // unreadable: unknown
    }
    return props.getProperty("version", "unknown");
  }

  /** A started controller; closing it stops everything it started. */
  public static final class Running implements AutoCloseable {
    final KubernetesClient kube;
    final Leadership leadership;
    final ScheduledExecutorService gcTimer;
    final PoolController pools;
    final ControllerMetrics metrics;
    final CountDownLatch stopped = new CountDownLatch(1);

    /** The port /metrics is served on, -1 when it is off. */
    volatile int metricsPort = -1;

    /** The fixed-IP loop, closed with the rest. */
    volatile AutoCloseable reservations;

    Running(
        KubernetesClient kube,
        Leadership leadership,
        ScheduledExecutorService gcTimer,
        PoolController pools,
        ControllerMetrics metrics) {
      this.kube = kube;
      this.leadership = leadership;
      this.gcTimer = gcTimer;
      this.pools = pools;
      this.metrics = metrics;
    }

    private final java.util.concurrent.atomic.AtomicBoolean closing =
        new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * Stops acting first (the pool loop and its in-flight sync, GC, status writes), then releases
     * the Lease, so two replicas never act at once. Idempotent: the shutdown hook, the end of
     * {@code main} and a lost lease may all call it.
     */
    @Override
    public void close() {
      if (!closing.compareAndSet(false, true)) {
        return;
      }
      metrics.leader(false);
      gcTimer.shutdownNow();
      if (reservations != null) {
        try {
          reservations.close();
        } catch (Exception e) {
          logger.warn("closing the fixed-IP loop failed: {}", e.toString());
        }
      }
      pools.close();
      try {
        gcTimer.awaitTermination(10, TimeUnit.SECONDS); // a GC or status pass in flight ends first
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      leadership.close();
      kube.close();
      metrics.close();
      stopped.countDown();
      logger.info("vpc-cni controller stopped");
    }
  }

  private static void scheduleGcAndStatus(
      ScheduledExecutorService gcTimer,
      EniGarbageCollector gc,
      SubnetPoolStatusWriter subnetPoolStatus,
      ControllerMetrics metrics,
      ControllerConfig config) {
    gcTimer.scheduleWithFixedDelay(
        () -> {
          try {
            metrics.gcDeleted(gc.collect().size());
          } catch (RuntimeException e) {
            logger.warn("ENI GC pass failed: {}", e.getMessage());
          }
        },
        0,
        config.gcPeriod().toMillis(),
        TimeUnit.MILLISECONDS);
    gcTimer.scheduleWithFixedDelay(
        () -> {
          try {
            subnetPoolStatus.refresh();
          } catch (RuntimeException e) {
            logger.warn("SubnetPool status pass failed: {}", e.getMessage());
          }
        },
        0,
        config.subnetCacheTtl().toMillis(),
        TimeUnit.MILLISECONDS);
  }

  public static Running start(ControllerConfig config) throws Exception {
    return start(
        config,
        Optional.ofNullable(System.getenv("POD_NAME"))
            .orElse(
                java.net.InetAddress.getLocalHost().getHostName()
                    + "-"
                    + ProcessHandle.current().pid()));
  }

  /**
   * As {@link #start(ControllerConfig)}, with the Lease identity given (tests run two in one JVM).
   */
  static Running start(ControllerConfig config, String identity) throws Exception {
    KubernetesClientBuilder kb = new KubernetesClientBuilder();
    if (config.kubeconfig() != null) {
      kb.withConfig(Config.fromKubeconfig(Files.readString(config.kubeconfig())));
    }
    KubernetesClient kube = kb.build();
    ControllerMetrics metrics = new ControllerMetrics();
    int metricsPort = -1;
    if (!config.metricsAddress().isEmpty()) {
      metricsPort = metrics.serve(config.metricsAddress());
      logger.info("metrics on {} (port {})", config.metricsAddress(), metricsPort);
    }
    VpcApi api =
        new RetryingVpcApi(
            new RateLimitedVpcApi(
                new ObservedVpcApi(
                    VpcApis.create(config.provider(), providerOnly(config.providerSettings())),
                    metrics.cloudCalls()),
                RateLimiter.of(config.cloudCallsPerSecond(), config.cloudBurst()),
                Duration.ofSeconds(30)),
            RetryPolicy.fromSettings(config.providerSettings(), "retry."));
    SubnetChooser subnets =
        new SubnetChooser(new SubnetCache(api, Clock.systemUTC(), config.subnetCacheTtl()));
    VpcApiNodeOperations ops =
        new VpcApiNodeOperations(
            api, config.clusterId(), node -> instanceId(kube, node), Clock.systemUTC(), subnets);
    SubnetPoolStatusWriter subnetPoolStatus =
        new SubnetPoolStatusWriter(kube, subnets, Clock.systemUTC());
    PoolController pools =
        new PoolController(
            kube,
            ops,
            config.warmPool(),
            Clock.systemUTC(),
            config.resync(),
            config.cloudResync(),
            metrics);
    EniGarbageCollector gc =
        new EniGarbageCollector(
            api,
            config.clusterId(),
            () ->
                kube.nodes().list().getItems().stream()
                    .map(n -> n.getMetadata().getName())
                    .collect(Collectors.toSet()),
            config.gcGrace(),
            Clock.systemUTC());
    ScheduledExecutorService gcTimer =
        Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("eni-gc").daemon(true).unstarted(r));
    io.vpccni.controller.reservations.ReservationController reservations =
        new io.vpccni.controller.reservations.ReservationController(
            kube, pools, Clock.systemUTC(), config.resync(), metrics);
    Running[] self = new Running[1];
    Leadership leadership =
        new Leadership(
            kube,
            config.leaseNamespace(),
            config.leaseName(),
            identity,
            config.leaseDuration(),
            () -> {
              // on the leader-election thread: close() (SIGTERM) may come before or during this;
              // the loops then stop what they started, and the timer refuses new work
              if (self[0].closing.get()) {
                return;
              }
              metrics.leader(true);
              pools.start();
              reservations.start();
              try {
                scheduleGcAndStatus(gcTimer, gc, subnetPoolStatus, metrics, config);
              } catch (java.util.concurrent.RejectedExecutionException e) {
                logger.info("closed while taking the lead: GC and status passes not started");
              }
            },
            () -> {
              // Lost the lease: stop acting at once; the process ends and restarts clean.
              metrics.leader(false);
              if (self[0] != null) {
                self[0].close();
              }
            });
    Running running = new Running(kube, leadership, gcTimer, pools, metrics);
    running.metricsPort = metricsPort;
    running.reservations = reservations;
    self[0] = running;
    leadership.start();
    logger.info(
        "vpc-cni controller {} started for cluster {} with provider {}",
        identity,
        config.clusterId(),
        config.provider());
    return running;
  }

  /**
   * The node's instance id: label {@value #INSTANCE_LABEL}, else the last segment of
   * spec.providerID.
   */
  static Optional<String> instanceId(KubernetesClient kube, String node) {
    Node n = kube.nodes().withName(node).get();
    if (n == null) {
      return Optional.empty();
    }
    String label =
        n.getMetadata().getLabels() == null
            ? null
            : n.getMetadata().getLabels().get(INSTANCE_LABEL);
    if (label != null && !label.isBlank()) {
      return Optional.of(label);
    }
    String pid = n.getSpec() == null ? null : n.getSpec().getProviderID();
    if (pid == null || pid.isBlank()) {
      return Optional.empty();
    }
    return Optional.of(pid.substring(pid.lastIndexOf('/') + 1));
  }

  /**
   * Settings for the provider itself: all but the {@code retry.*} keys, which the controller reads.
   */
  static java.util.Map<String, String> providerOnly(java.util.Map<String, String> settings) {
    java.util.Map<String, String> out = new java.util.LinkedHashMap<>(settings);
    out.keySet().removeIf(k -> k.startsWith("retry."));
    return out;
  }
}
