package io.vpccni.agent.deviceplugin;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.vpccni.agent.config.Mode;
import io.vpccni.crd.NodeEniSpec;
import io.vpccni.deviceplugin.v1beta1.AllocateRequest;
import io.vpccni.deviceplugin.v1beta1.AllocateResponse;
import io.vpccni.deviceplugin.v1beta1.ContainerAllocateRequest;
import io.vpccni.deviceplugin.v1beta1.ContainerAllocateResponse;
import io.vpccni.deviceplugin.v1beta1.ContainerPreferredAllocationRequest;
import io.vpccni.deviceplugin.v1beta1.ContainerPreferredAllocationResponse;
import io.vpccni.deviceplugin.v1beta1.Device;
import io.vpccni.deviceplugin.v1beta1.DevicePluginGrpc;
import io.vpccni.deviceplugin.v1beta1.DevicePluginOptions;
import io.vpccni.deviceplugin.v1beta1.Empty;
import io.vpccni.deviceplugin.v1beta1.ListAndWatchResponse;
import io.vpccni.deviceplugin.v1beta1.PreStartContainerRequest;
import io.vpccni.deviceplugin.v1beta1.PreStartContainerResponse;
import io.vpccni.deviceplugin.v1beta1.PreferredAllocationRequest;
import io.vpccni.deviceplugin.v1beta1.PreferredAllocationResponse;
import io.vpccni.deviceplugin.v1beta1.RegisterRequest;
import io.vpccni.deviceplugin.v1beta1.RegistrationGrpc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kubelet device plugin: serves {@code DevicePlugin} v1beta1 on {@code
 * <dir>/vpc-cni-<resource>.sock}, registers it with {@code <dir>/kubelet.sock}, and advertises
 * {@link #advertise N} healthy devices ({@code eni-ip-0 … eni-ip-N-1}), sending every watcher the
 * new list when N changes.
 *
 * <p>The kubelet, when it restarts, deletes and re-creates {@code kubelet.sock} and removes every
 * plugin socket, and forgets its plugins. A watcher thread looks every {@link Timing#checkInterval}
 * at both files; when {@code kubelet.sock} is new (another inode or time) or our socket is gone, it
 * restarts the gRPC server and registers again, with up to {@link Timing#attempts} tries spaced by
 * a doubling backoff, then pauses {@link Timing#pauseAfterFailure} before another round. While
 * {@code kubelet.sock} is absent (kubelet stopped, or not a kubelet node) it only waits.
 *
 * <p>Allocate hands back an empty response per container: a device only accounts for capacity; the
 * pod's IP is assigned by CNI ADD.
 */
public final class DevicePlugin implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(DevicePlugin.class);

  public static final String API_VERSION = "v1beta1";
  public static final String KUBELET_SOCKET = "kubelet.sock";
  public static final String SHARED_RESOURCE = "vpc-cni.io/eni-ip";
  public static final String EXCLUSIVE_RESOURCE = "vpc-cni.io/eni";
  static final String HEALTHY = "Healthy";

  /**
   * How often the watcher looks, and how registration retries.
   *
   * @param checkInterval between two looks at the directory
   * @param firstBackoff wait after the first failed registration, doubled after each
   * @param maxBackoff longest wait between two tries
   * @param attempts tries per round
   * @param pauseAfterFailure wait after a round failed (unless kubelet.sock is re-created)
   * @param callTimeout deadline of the Register call
   */
  public record Timing(
      Duration checkInterval,
      Duration firstBackoff,
      Duration maxBackoff,
      int attempts,
      Duration pauseAfterFailure,
      Duration callTimeout) {
    public static final Timing DEFAULT =
        new Timing(
            Duration.ofSeconds(1),
            Duration.ofMillis(200),
            Duration.ofSeconds(5),
            8,
            Duration.ofSeconds(30),
            Duration.ofSeconds(5));
  }

  private final Path dir;
  private final Mode mode;
  private final String resource;
  private final String endpoint;
  private final Timing timing;
  private final EventLoopGroup group;
  private final ExecutorService executor;
  private final Set<ServerCallStreamObserver<ListAndWatchResponse>> watchers =
      ConcurrentHashMap.newKeySet();
  private final AtomicInteger registrations = new AtomicInteger();
  private final CountDownLatch closing = new CountDownLatch(1);
  private int count; // guarded by this
  private Server server; // guarded by this
  private Thread watcher;

  // watcher thread only
  private String registeredKubelet;
  private String failedKubelet;
  private long retryAfterNanos;

  private DevicePlugin(Path dir, Mode mode, Timing timing) {
    this.dir = dir;
    this.mode = mode;
    this.resource = resourceName(mode);
    this.endpoint = "vpc-cni-" + resource.substring(resource.indexOf('/') + 1) + ".sock";
    this.timing = timing;
    this.group =
        new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory("device-plugin-io", true), EpollIoHandler.newFactory());
    this.executor =
        Executors.newFixedThreadPool(
            2, Thread.ofPlatform().name("device-plugin-grpc-", 0).daemon(true).factory());
  }

  /**
   * A plugin for {@code mode} in the kubelet's device-plugin directory; {@link #start} runs it.
   *
   * @throws IllegalStateException with the cause where the epoll transport is unavailable
   */
  public static DevicePlugin create(Path dir, Mode mode, Timing timing) {
    if (!Epoll.isAvailable()) {
      throw new IllegalStateException(
          "the device plugin needs Netty's epoll transport for unix sockets: "
              + Epoll.unavailabilityCause());
    }
    return new DevicePlugin(dir, mode, timing);
  }

  /** {@code vpc-cni.io/eni-ip} for the shared modes, {@code vpc-cni.io/eni} for exclusive. */
  public static String resourceName(Mode mode) {
    return mode == Mode.EXCLUSIVE ? EXCLUSIVE_RESOURCE : SHARED_RESOURCE;
  }

  public String resource() {
    return resource;
  }

  /** Our socket's file name in the directory (the {@code endpoint} of the registration). */
  public String endpoint() {
    return endpoint;
  }

  /** Successful registrations so far. */
  public int registrations() {
    return registrations.get();
  }

  /** The number of devices advertised now. */
  public synchronized int count() {
    return count;
  }

  /** Starts the watcher, which serves and registers as soon as {@code kubelet.sock} is there. */
  public synchronized void start() {
    if (watcher == null) {
      watcher = Thread.ofPlatform().name("device-plugin-watch").daemon(true).start(this::watch);
    }
  }

  /** Advertises what this NodeENI spec can really serve ({@link EniCapacity}). */
  public void update(NodeEniSpec spec) {
    EniCapacity c = EniCapacity.of(mode, spec);
    if (c.problem() != null) {
      logger.error(
          "device plugin {} advertises 0 devices: invalid NodeENI spec: {}", resource, c.problem());
    } else if (c.devices() != count()) {
      logger.info(
          "device plugin {}: {} devices (quota {}, held {}, can still come {})",
          resource,
          c.devices(),
          c.quota(),
          c.held(),
          c.canCome());
    }
    advertise(c.devices());
  }

  /** Advertises {@code n} healthy devices; every watcher gets the new list if {@code n} changed. */
  public synchronized void advertise(int n) {
    int next = Math.max(0, n);
    if (next == count) {
      return;
    }
    count = next;
    ListAndWatchResponse list = list(next);
    for (ServerCallStreamObserver<ListAndWatchResponse> w : watchers) {
      try {
        w.onNext(list);
      } catch (RuntimeException e) {
        watchers.remove(w); // the kubelet went away mid-send; its cancel handler may not have run
      }
    }
  }

  private ListAndWatchResponse list(int n) {
    String prefix = mode == Mode.EXCLUSIVE ? "eni-" : "eni-ip-";
    ListAndWatchResponse.Builder b = ListAndWatchResponse.newBuilder();
    for (int i = 0; i < n; i++) {
      b.addDevices(Device.newBuilder().setID(prefix + i).setHealth(HEALTHY));
    }
    return b.build();
  }

  private void watch() {
    while (closing.getCount() > 0) {
      String kubelet = identity(dir.resolve(KUBELET_SOCKET));
      String reason = null;
      if (kubelet == null) {
        if (registeredKubelet != null) {
          logger.warn(
              "{} is gone: the kubelet stopped; waiting for it", dir.resolve(KUBELET_SOCKET));
          registeredKubelet = null;
        }
      } else if (registeredKubelet == null) {
        reason = "first registration with this kubelet";
      } else if (!kubelet.equals(registeredKubelet)) {
        reason = "kubelet.sock was re-created (the kubelet restarted)";
      } else if (!Files.exists(dir.resolve(endpoint), LinkOption.NOFOLLOW_LINKS)) {
        reason = "our socket " + endpoint + " was removed (the kubelet restarted)";
      }
      boolean paused =
          kubelet != null
              && kubelet.equals(failedKubelet)
              && System.nanoTime() - retryAfterNanos < 0;
      if (reason != null && !paused) {
        registerWithRetries(kubelet, reason);
      }
      if (sleep(timing.checkInterval())) {
        return;
      }
    }
  }

  private void registerWithRetries(String kubelet, String reason) {
    Duration backoff = timing.firstBackoff();
    Exception last = null;
    for (int attempt = 1; attempt <= timing.attempts(); attempt++) {
      try {
        restartServer();
        register();
        registeredKubelet = kubelet;
        failedKubelet = null;
        registrations.incrementAndGet();
        logger.info(
            "device plugin {} registered with the kubelet at {} (endpoint {}, {} devices): {}",
            resource,
            dir.resolve(KUBELET_SOCKET),
            endpoint,
            count(),
            reason);
        return;
      } catch (IOException | RuntimeException e) {
        last = e;
        logger.warn(
            "failed to register device plugin {} with the kubelet (attempt {}/{}, {}), next try in {} ms: {}",
            resource,
            attempt,
            timing.attempts(),
            reason,
            backoff.toMillis(),
            e.toString());
      }
      if (attempt < timing.attempts()) {
        if (sleep(backoff)) {
          return;
        }
        backoff = backoff.multipliedBy(2);
        if (backoff.compareTo(timing.maxBackoff()) > 0) {
          backoff = timing.maxBackoff();
        }
      }
    }
    registeredKubelet = null;
    failedKubelet = kubelet;
    retryAfterNanos = System.nanoTime() + timing.pauseAfterFailure().toNanos();
    logger.error(
        "failed to register device plugin {} with the kubelet after {} attempts ({}); trying again in {} s or when kubelet.sock is re-created: {}",
        resource,
        timing.attempts(),
        reason,
        timing.pauseAfterFailure().toSeconds(),
        last == null ? "" : last.toString());
  }

  private synchronized void restartServer() throws IOException {
    stopServer();
    Path socket = dir.resolve(endpoint);
    Files.deleteIfExists(socket);
    server =
        NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
            .channelType(EpollServerDomainSocketChannel.class)
            .bossEventLoopGroup(group)
            .workerEventLoopGroup(group)
            .executor(executor)
            .addService(new Service())
            .build()
            .start();
  }

  private synchronized void stopServer() {
    for (ServerCallStreamObserver<ListAndWatchResponse> w : watchers) {
      try {
        w.onCompleted();
      } catch (RuntimeException e) {
        // already cancelled
      }
    }
    watchers.clear();
    if (server != null) {
      server.shutdownNow();
      try {
        server.awaitTermination(2, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      server = null;
    }
  }

  private void register() {
    ManagedChannel channel =
        NettyChannelBuilder.forAddress(
                new DomainSocketAddress(dir.resolve(KUBELET_SOCKET).toString()))
            .channelType(EpollDomainSocketChannel.class, DomainSocketAddress.class)
            .eventLoopGroup(group)
            .executor(executor)
            .usePlaintext()
            .build();
    try {
      RegistrationGrpc.newBlockingStub(channel)
          .withDeadlineAfter(timing.callTimeout().toMillis(), TimeUnit.MILLISECONDS)
          .register(
              RegisterRequest.newBuilder()
                  .setVersion(API_VERSION)
                  .setEndpoint(endpoint)
                  .setResourceName(resource)
                  .setOptions(DevicePluginOptions.getDefaultInstance())
                  .build());
    } finally {
      channel.shutdownNow();
      try {
        channel.awaitTermination(2, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** A file's identity (inode and times), or null if absent: a re-created file differs. */
  private static String identity(Path p) {
    try {
      BasicFileAttributes a =
          Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      return a.fileKey() + "/" + a.creationTime() + "/" + a.lastModifiedTime();
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      logger.warn("cannot read {}: {}", p, e.toString());
      return null;
    }
  }

  /** Sleeps; true if the plugin is closing. */
  private boolean sleep(Duration d) {
    try {
      return closing.await(d.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true;
    }
  }

  @Override
  public void close() {
    closing.countDown();
    Thread w;
    synchronized (this) {
      w = watcher;
    }
    if (w != null) {
      w.interrupt();
      try {
        w.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    stopServer();
    try {
      Files.deleteIfExists(dir.resolve(endpoint));
    } catch (IOException e) {
      logger.warn("cannot remove {}: {}", dir.resolve(endpoint), e.toString());
    }
    executor.shutdownNow();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The gRPC service the kubelet calls. */
  private final class Service extends DevicePluginGrpc.DevicePluginImplBase {
    @Override
    public void getDevicePluginOptions(Empty req, StreamObserver<DevicePluginOptions> out) {
      out.onNext(DevicePluginOptions.newBuilder().setGetPreferredAllocationAvailable(true).build());
      out.onCompleted();
    }

    @Override
    public void listAndWatch(Empty req, StreamObserver<ListAndWatchResponse> out) {
      ServerCallStreamObserver<ListAndWatchResponse> w =
          (ServerCallStreamObserver<ListAndWatchResponse>) out;
      w.setOnCancelHandler(() -> watchers.remove(w));
      synchronized (DevicePlugin.this) {
        watchers.add(w);
        w.onNext(list(count));
      }
    }

    @Override
    public void getPreferredAllocation(
        PreferredAllocationRequest req, StreamObserver<PreferredAllocationResponse> out) {
      PreferredAllocationResponse.Builder b = PreferredAllocationResponse.newBuilder();
      for (ContainerPreferredAllocationRequest c : req.getContainerRequestsList()) {
        // devices are interchangeable: the ones the kubelet must include, then any others
        Set<String> pick = new LinkedHashSet<>(c.getMustIncludeDeviceIDsList());
        for (String id : c.getAvailableDeviceIDsList()) {
          if (pick.size() >= c.getAllocationSize()) {
            break;
          }
          pick.add(id);
        }
        b.addContainerResponses(
            ContainerPreferredAllocationResponse.newBuilder().addAllDeviceIDs(pick));
      }
      out.onNext(b.build());
      out.onCompleted();
    }

    @Override
    public void allocate(AllocateRequest req, StreamObserver<AllocateResponse> out) {
      List<ContainerAllocateResponse> responses = new ArrayList<>();
      for (ContainerAllocateRequest ignored : req.getContainerRequestsList()) {
        responses.add(ContainerAllocateResponse.getDefaultInstance());
      }
      out.onNext(AllocateResponse.newBuilder().addAllContainerResponses(responses).build());
      out.onCompleted();
    }

    @Override
    public void preStartContainer(
        PreStartContainerRequest req, StreamObserver<PreStartContainerResponse> out) {
      out.onNext(PreStartContainerResponse.getDefaultInstance());
      out.onCompleted();
    }
  }
}
