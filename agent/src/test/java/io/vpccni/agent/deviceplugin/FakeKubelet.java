package io.vpccni.agent.deviceplugin;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.vpccni.deviceplugin.v1beta1.DevicePluginGrpc;
import io.vpccni.deviceplugin.v1beta1.Empty;
import io.vpccni.deviceplugin.v1beta1.ListAndWatchResponse;
import io.vpccni.deviceplugin.v1beta1.RegisterRequest;
import io.vpccni.deviceplugin.v1beta1.RegistrationGrpc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A kubelet stand-in: serves {@code Registration} on {@code <dir>/kubelet.sock} and, on every
 * Register, dials back to the plugin's endpoint in the same directory and reads its ListAndWatch
 * stream, as the kubelet's device manager does. {@link #restart} plays a kubelet restart: it drops
 * its connections, deletes {@code kubelet.sock} and every plugin socket, and listens again.
 */
public final class FakeKubelet implements AutoCloseable {
  public final Path dir;
  public final BlockingQueue<RegisterRequest> registrations = new LinkedBlockingQueue<>();

  /** The device lists every ListAndWatch stream delivered, in order. */
  public final BlockingQueue<ListAndWatchResponse> lists = new LinkedBlockingQueue<>();

  /** Register calls to refuse before accepting one. */
  final AtomicInteger refuse = new AtomicInteger();

  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(
          1, new DefaultThreadFactory("fake-kubelet-io", true), EpollIoHandler.newFactory());
  private final ExecutorService executor =
      Executors.newFixedThreadPool(2, Thread.ofPlatform().name("fake-kubelet-", 0).factory());
  private Server server;
  private ManagedChannel plugin;

  public FakeKubelet(Path dir) throws IOException {
    this.dir = dir;
    listen();
  }

  private synchronized void listen() throws IOException {
    server =
        NettyServerBuilder.forAddress(
                new DomainSocketAddress(dir.resolve("kubelet.sock").toString()))
            .channelType(EpollServerDomainSocketChannel.class)
            .bossEventLoopGroup(group)
            .workerEventLoopGroup(group)
            .executor(executor)
            .addService(new Registration())
            .build()
            .start();
  }

  /** The channel to the plugin last registered (for Allocate and friends). */
  synchronized DevicePluginGrpc.DevicePluginBlockingStub plugin() {
    return DevicePluginGrpc.newBlockingStub(plugin).withDeadlineAfter(5, TimeUnit.SECONDS);
  }

  private synchronized void dialBack(String endpoint) {
    dropPlugin();
    plugin =
        NettyChannelBuilder.forAddress(new DomainSocketAddress(dir.resolve(endpoint).toString()))
            .channelType(EpollDomainSocketChannel.class, DomainSocketAddress.class)
            .eventLoopGroup(group)
            .executor(executor)
            .usePlaintext()
            .build();
    DevicePluginGrpc.newStub(plugin)
        .listAndWatch(
            Empty.getDefaultInstance(),
            new StreamObserver<>() {
              @Override
              public void onNext(ListAndWatchResponse r) {
                lists.add(r);
              }

              @Override
              public void onError(Throwable t) {}

              @Override
              public void onCompleted() {}
            });
  }

  private synchronized void dropPlugin() {
    if (plugin != null) {
      plugin.shutdownNow();
      await(plugin);
      plugin = null;
    }
  }

  /**
   * A kubelet restart: connections dropped, kubelet.sock and plugin sockets deleted, new socket.
   */
  synchronized void restart() throws IOException {
    stop();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : files.filter(p -> p.toString().endsWith(".sock")).toList()) {
        Files.delete(p);
      }
    }
    listen();
  }

  private synchronized void stop() {
    dropPlugin();
    if (server != null) {
      server.shutdownNow();
      try {
        server.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      server = null;
    }
  }

  /** Device counts of the lists received so far, draining them. */
  public List<Integer> drainCounts() {
    List<ListAndWatchResponse> out = new java.util.ArrayList<>();
    lists.drainTo(out);
    return out.stream().map(ListAndWatchResponse::getDevicesCount).toList();
  }

  private static void await(ManagedChannel c) {
    try {
      c.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() throws IOException {
    stop();
    Files.deleteIfExists(dir.resolve("kubelet.sock"));
    executor.shutdownNow();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private final class Registration extends RegistrationGrpc.RegistrationImplBase {
    @Override
    public void register(RegisterRequest req, StreamObserver<Empty> out) {
      if (refuse.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        out.onError(Status.UNAVAILABLE.withDescription("kubelet not ready").asRuntimeException());
        return;
      }
      registrations.add(req);
      out.onNext(Empty.getDefaultInstance());
      out.onCompleted();
      // the kubelet connects to the plugin after answering, as its device manager does
      executor.execute(() -> dialBack(req.getEndpoint()));
    }
  }
}
