package io.vpccni.agent.deviceplugin;

import static io.vpccni.agent.deviceplugin.Specs.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vpccni.agent.config.Mode;
import io.vpccni.deviceplugin.v1beta1.AllocateRequest;
import io.vpccni.deviceplugin.v1beta1.AllocateResponse;
import io.vpccni.deviceplugin.v1beta1.ContainerAllocateRequest;
import io.vpccni.deviceplugin.v1beta1.ContainerAllocateResponse;
import io.vpccni.deviceplugin.v1beta1.ContainerPreferredAllocationRequest;
import io.vpccni.deviceplugin.v1beta1.Device;
import io.vpccni.deviceplugin.v1beta1.ListAndWatchResponse;
import io.vpccni.deviceplugin.v1beta1.PreferredAllocationRequest;
import io.vpccni.deviceplugin.v1beta1.RegisterRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.LoggerFactory;

/** The device plugin against a kubelet stand-in on unix sockets in a temporary directory. */
class DevicePluginTest {
  static final DevicePlugin.Timing FAST =
      new DevicePlugin.Timing(
          Duration.ofMillis(100),
          Duration.ofMillis(50),
          Duration.ofMillis(200),
          5,
          Duration.ofSeconds(1),
          Duration.ofSeconds(2));

  @TempDir Path dir;
  final List<AutoCloseable> open = new ArrayList<>();

  <T extends AutoCloseable> T closeLater(T c) {
    open.add(0, c);
    return c;
  }

  FakeKubelet kubelet() throws Exception {
    return closeLater(new FakeKubelet(dir));
  }

  DevicePlugin plugin(Mode mode) {
    return closeLater(DevicePlugin.create(dir, mode, FAST));
  }

  @AfterEach
  void closeAndCheckNothingIsLeft() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(
                        Thread.getAllStackTraces().keySet().stream()
                            .filter(Thread::isAlive)
                            .map(Thread::getName)
                            .filter(
                                n -> n.startsWith("device-plugin") || n.startsWith("fake-kubelet")))
                    .as("threads left behind")
                    .isEmpty());
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).as("sockets left behind").isEmpty();
    }
  }

  static RegisterRequest next(FakeKubelet k) throws InterruptedException {
    RegisterRequest r = k.registrations.poll(10, TimeUnit.SECONDS);
    assertThat(r).as("a Register call").isNotNull();
    return r;
  }

  static ListAndWatchResponse nextList(FakeKubelet k) throws InterruptedException {
    ListAndWatchResponse r = k.lists.poll(10, TimeUnit.SECONDS);
    assertThat(r).as("a ListAndWatch update").isNotNull();
    return r;
  }

  @ParameterizedTest
  @CsvSource({
    "SHARED, vpc-cni.io/eni-ip, vpc-cni-eni-ip.sock",
    "IPVLAN, vpc-cni.io/eni-ip, vpc-cni-eni-ip.sock",
    "EXCLUSIVE, vpc-cni.io/eni, vpc-cni-eni.sock"
  })
  void registersWithTheResourceNameOfItsMode(Mode mode, String resource, String endpoint)
      throws Exception {
    FakeKubelet k = kubelet();
    DevicePlugin p = plugin(mode);
    p.start();
    RegisterRequest r = next(k);
    assertThat(r.getResourceName()).isEqualTo(resource);
    assertThat(r.getVersion()).isEqualTo("v1beta1");
    assertThat(r.getEndpoint()).isEqualTo(endpoint);
    assertThat(dir.resolve(endpoint)).exists();
    assertThat(nextList(k).getDevicesCount()).isZero(); // nothing known yet
  }

  @Test
  void advertisesTheFormulasCountForANodeEniAndALowerOneWhenTheSubnetFills() throws Exception {
    FakeKubelet k = kubelet();
    DevicePlugin p = plugin(Mode.SHARED);
    p.start();
    next(k);
    assertThat(nextList(k).getDevicesCount()).isZero();
    p.update(spec(3, 10, 1000L, 4)); // (3-1) × (10-1)
    ListAndWatchResponse list = nextList(k);
    assertThat(list.getDevicesCount()).isEqualTo(18);
    assertThat(list.getDevicesList())
        .extracting(Device::getID)
        .startsWith("eni-ip-0", "eni-ip-1")
        .endsWith("eni-ip-17")
        .doesNotHaveDuplicates();
    assertThat(list.getDevicesList()).extracting(Device::getHealth).containsOnly("Healthy");
    p.update(spec(3, 10, 1000L, 4)); // same count: no update sent
    p.update(spec(3, 10, 6L, 4)); // the subnet fills: 4 held + 5 free addresses
    assertThat(nextList(k).getDevicesCount()).isEqualTo(9);
    assertThat(k.lists.poll(300, TimeUnit.MILLISECONDS)).isNull();
  }

  @Test
  void exclusiveModeAdvertisesEnis() throws Exception {
    FakeKubelet k = kubelet();
    DevicePlugin p = plugin(Mode.EXCLUSIVE);
    p.start();
    next(k);
    nextList(k);
    p.update(spec(4, 10, null, 1));
    ListAndWatchResponse list = nextList(k);
    assertThat(list.getDevicesList())
        .extracting(Device::getID)
        .containsExactly("eni-0", "eni-1", "eni-2");
  }

  @Test
  void aKubeletRestartLeadsToANewRegistrationAndStream() throws Exception {
    FakeKubelet k = kubelet();
    DevicePlugin p = plugin(Mode.SHARED);
    p.start();
    next(k);
    p.update(spec(3, 10, null, 4));
    await().atMost(Duration.ofSeconds(5)).until(() -> k.drainCounts().contains(18));
    long start = System.nanoTime();
    k.restart();
    next(k);
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(tookMs).as("re-registration after a kubelet restart, ms").isLessThan(3000);
    assertThat(nextList(k).getDevicesCount()).as("the new stream's first list").isEqualTo(18);
    assertThat(p.registrations()).isEqualTo(2);
    System.err.println("re-registration took " + tookMs + " ms"); // read by the report
  }

  @Test
  void waitsForTheKubeletAndRetriesARefusedRegistration() throws Exception {
    DevicePlugin p = plugin(Mode.SHARED);
    p.start();
    Thread.sleep(300);
    assertThat(p.registrations()).isZero();
    try (var files = Files.list(dir)) {
      assertThat(files).as("no socket before the kubelet is there").isEmpty();
    }
    FakeKubelet k = new FakeKubelet(dir);
    k.refuse.set(2);
    closeLater(k);
    RegisterRequest r = next(k);
    assertThat(r.getResourceName()).isEqualTo("vpc-cni.io/eni-ip");
    assertThat(k.refuse).hasValue(0);
  }

  @Test
  void allocateAnswersEachContainerWithNothingToInject() throws Exception {
    FakeKubelet k = kubelet();
    DevicePlugin p = plugin(Mode.SHARED);
    p.start();
    next(k);
    nextList(k);
    AllocateResponse r =
        k.plugin()
            .allocate(
                AllocateRequest.newBuilder()
                    .addContainerRequests(
                        ContainerAllocateRequest.newBuilder().addDevicesIds("eni-ip-0"))
                    .addContainerRequests(
                        ContainerAllocateRequest.newBuilder().addDevicesIds("eni-ip-1"))
                    .build());
    assertThat(r.getContainerResponsesList())
        .hasSize(2)
        .containsOnly(ContainerAllocateResponse.getDefaultInstance());
    var preferred =
        k.plugin()
            .getPreferredAllocation(
                PreferredAllocationRequest.newBuilder()
                    .addContainerRequests(
                        ContainerPreferredAllocationRequest.newBuilder()
                            .addAllAvailableDeviceIDs(List.of("eni-ip-0", "eni-ip-1", "eni-ip-2"))
                            .addMustIncludeDeviceIDs("eni-ip-2")
                            .setAllocationSize(2))
                    .build());
    assertThat(preferred.getContainerResponses(0).getDeviceIDsList())
        .containsExactly("eni-ip-2", "eni-ip-0");
  }

  @Test
  void aNodeEniWithNegativeNumbersAdvertisesZeroAndSaysWhy() throws Exception {
    var logger = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(DevicePlugin.class);
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    logger.addAppender(logs);
    try {
      FakeKubelet k = kubelet();
      DevicePlugin p = plugin(Mode.SHARED);
      p.start();
      next(k);
      nextList(k);
      p.update(spec(3, 10, null, 4));
      assertThat(nextList(k).getDevicesCount()).isEqualTo(18);
      p.update(spec(-3, 10, null, 4));
      assertThat(nextList(k).getDevicesCount()).isZero();
      assertThat(logs.list)
          .extracting(ILoggingEvent::getFormattedMessage)
          .anySatisfy(
              m -> assertThat(m).contains("advertises 0").contains("spec.maxEnis").contains("-3"));
      p.update(spec(3, 10, null, 4)); // still serving: a good spec brings the count back
      assertThat(nextList(k).getDevicesCount()).isEqualTo(18);
    } finally {
      logger.detachAppender(logs);
    }
  }
}
