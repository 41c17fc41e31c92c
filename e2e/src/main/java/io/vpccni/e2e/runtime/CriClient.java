package io.vpccni.e2e.runtime;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.vpccni.e2e.cri.v1.ImageServiceGrpc;
import io.vpccni.e2e.cri.v1.ImageSpec;
import io.vpccni.e2e.cri.v1.ImageStatusRequest;
import io.vpccni.e2e.cri.v1.ListPodSandboxRequest;
import io.vpccni.e2e.cri.v1.PodSandbox;
import io.vpccni.e2e.cri.v1.PodSandboxConfig;
import io.vpccni.e2e.cri.v1.PodSandboxStatusRequest;
import io.vpccni.e2e.cri.v1.PodSandboxStatusResponse;
import io.vpccni.e2e.cri.v1.RemovePodSandboxRequest;
import io.vpccni.e2e.cri.v1.RunPodSandboxRequest;
import io.vpccni.e2e.cri.v1.RuntimeCondition;
import io.vpccni.e2e.cri.v1.RuntimeServiceGrpc;
import io.vpccni.e2e.cri.v1.StatusRequest;
import io.vpccni.e2e.cri.v1.StopPodSandboxRequest;
import io.vpccni.e2e.cri.v1.VersionRequest;
import io.vpccni.e2e.cri.v1.VersionResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A minimal CRI {@code runtime.v1} client over a unix socket: the calls a kubelet makes to run and
 * tear down pod sandboxes, and nothing about containers. Every call carries a deadline ({@link
 * #callTimeout}); failures surface as gRPC's {@code StatusRuntimeException}.
 */
public final class CriClient implements AutoCloseable {

  /** The CRI version the kubelet announces in {@code Version}. */
  public static final String API_VERSION = "v1";

  /**
   * grpc-netty asks every channel for SO_KEEPALIVE, which a unix socket does not have, and Netty
   * warns once per connection; held here so the level sticks (JUL keeps loggers weakly).
   */
  private static final java.util.logging.Logger NETTY_BOOTSTRAP_LOGGER =
      quiet("io.netty.bootstrap");

  private final Path socket;
  private final ManagedChannel channel;
  private final Duration callTimeout;

  private CriClient(Path socket, Duration callTimeout) {
    this.socket = socket;
    this.callTimeout = callTimeout;
    // grpc-netty resolves "unix://" targets and picks the epoll domain-socket transport itself.
    this.channel =
        Grpc.newChannelBuilder("unix://" + socket, InsecureChannelCredentials.create()).build();
  }

  /** A client of the runtime listening on {@code socket}; connects lazily on the first call. */
  public static CriClient connect(Path socket, Duration callTimeout) {
    return new CriClient(socket, callTimeout);
  }

  public Path socket() {
    return socket;
  }

  public Duration callTimeout() {
    return callTimeout;
  }

  public VersionResponse version() {
    return runtime().version(VersionRequest.newBuilder().setVersion(API_VERSION).build());
  }

  /** The runtime's conditions by type ({@code RuntimeReady}, {@code NetworkReady}). */
  public Map<String, RuntimeCondition> conditions() {
    return runtime()
        .status(StatusRequest.getDefaultInstance())
        .getStatus()
        .getConditionsList()
        .stream()
        .collect(Collectors.toMap(RuntimeCondition::getType, c -> c, (a, b) -> b));
  }

  /** The image's id if the runtime's CRI image store knows {@code image}. */
  public Optional<String> imageId(String image) {
    var response =
        images()
            .imageStatus(
                ImageStatusRequest.newBuilder()
                    .setImage(ImageSpec.newBuilder().setImage(image))
                    .build());
    return response.hasImage() ? Optional.of(response.getImage().getId()) : Optional.empty();
  }

  /** Runs a pod sandbox (network namespace, CNI ADD, sandbox container) and returns its id. */
  public String runPodSandbox(PodSandboxConfig config) {
    return runtime()
        .runPodSandbox(RunPodSandboxRequest.newBuilder().setConfig(config).build())
        .getPodSandboxId();
  }

  /** Stops a pod sandbox: CNI DEL, kills its processes. Idempotent in the runtime. */
  public void stopPodSandbox(String podSandboxId) {
    runtime()
        .stopPodSandbox(StopPodSandboxRequest.newBuilder().setPodSandboxId(podSandboxId).build());
  }

  /** Removes a stopped pod sandbox. Idempotent in the runtime. */
  public void removePodSandbox(String podSandboxId) {
    runtime()
        .removePodSandbox(
            RemovePodSandboxRequest.newBuilder().setPodSandboxId(podSandboxId).build());
  }

  /** The sandbox's status; with {@code verbose}, {@code info} carries runtime details as JSON. */
  public PodSandboxStatusResponse podSandboxStatus(String podSandboxId, boolean verbose) {
    return runtime()
        .podSandboxStatus(
            PodSandboxStatusRequest.newBuilder()
                .setPodSandboxId(podSandboxId)
                .setVerbose(verbose)
                .build());
  }

  public List<PodSandbox> listPodSandbox() {
    return runtime().listPodSandbox(ListPodSandboxRequest.getDefaultInstance()).getItemsList();
  }

  private RuntimeServiceGrpc.RuntimeServiceBlockingStub runtime() {
    return RuntimeServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(callTimeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private ImageServiceGrpc.ImageServiceBlockingStub images() {
    return ImageServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(callTimeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    channel.shutdownNow();
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static java.util.logging.Logger quiet(String name) {
    java.util.logging.Logger logger = java.util.logging.Logger.getLogger(name);
    logger.setLevel(java.util.logging.Level.SEVERE);
    return logger;
  }

  @Override
  public String toString() {
    return "CRI client of unix://" + socket;
  }
}
