package io.vpccni.cloud.openstack.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PortWriteSerializerTest {
  private final PortWriteSerializer serializer = new PortWriteSerializer();

  @Test
  void writesToOnePortNeverOverlap() throws Exception {
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger maxInFlight = new AtomicInteger();
    List<Integer> list = new ArrayList<>(); // unsynchronized on purpose: the serializer guards it
    try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
      List<Future<?>> fs = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        int v = i;
        fs.add(
            pool.submit(
                () ->
                    serializer.run(
                        "port-a",
                        () -> {
                          maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                          List<Integer> copy = new ArrayList<>(list); // read
                          Thread.yield();
                          copy.add(v); // modify
                          list.clear(); // write the whole list back
                          list.addAll(copy);
                          inFlight.decrementAndGet();
                        })));
      }
      for (Future<?> f : fs) {
        f.get(10, TimeUnit.SECONDS);
      }
    }
    assertThat(maxInFlight).hasValue(1);
    assertThat(list).hasSize(200);
    assertThat(serializer.activePorts()).isZero();
  }

  @Test
  void differentPortsRunInParallel() throws Exception {
    CountDownLatch both = new CountDownLatch(2);
    try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
      Future<Boolean> a =
          pool.submit(
              () ->
                  serializer.write(
                      "port-a",
                      () -> {
                        both.countDown();
                        return await(both);
                      }));
      Future<Boolean> b =
          pool.submit(
              () ->
                  serializer.write(
                      "port-b",
                      () -> {
                        both.countDown();
                        return await(both);
                      }));
      assertThat(a.get(10, TimeUnit.SECONDS)).isTrue();
      assertThat(b.get(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void aFailingWriteReleasesThePort() {
    assertThatThrownBy(
            () ->
                serializer.run(
                    "port-a",
                    () -> {
                      throw new IllegalStateException("boom");
                    }))
        .hasMessage("boom");
    assertThat(serializer.activePorts()).isZero();
    assertThat(serializer.write("port-a", () -> "ok")).isEqualTo("ok");
  }

  @Test
  void reentrantOnTheSameThread() {
    assertThat(serializer.write("p", () -> serializer.write("p", () -> 42))).isEqualTo(42);
    assertThat(serializer.activePorts()).isZero();
  }

  private static boolean await(CountDownLatch latch) {
    try {
      return latch.await(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
