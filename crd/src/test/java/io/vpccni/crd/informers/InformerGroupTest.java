package io.vpccni.crd.informers;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.vpccni.testkit.kube.MockKubeApi;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Real informers against the mock API server, closed while a start is still adding them. */
@MockKubeApi
class InformerGroupTest {
  static KubernetesClient client;

  static SharedIndexInformer<ConfigMap> inform() {
    return client.configMaps().inAnyNamespace().inform(new OnAnyChange<>(() -> {}));
  }

  @Test
  void closeStopsEveryInformerAndIsIdempotent() {
    InformerGroup group = new InformerGroup();
    SharedIndexInformer<ConfigMap> a = group.add(inform());
    SharedIndexInformer<ConfigMap> b = group.add(inform());
    assertThat(a.isRunning()).isTrue();
    assertThat(group.informers()).containsExactly(a, b);

    group.close();
    group.close();
    assertThat(group.closed()).isTrue();
    assertThat(a.isRunning()).isFalse();
    assertThat(b.isRunning()).isFalse();
  }

  @Test
  void anInformerStartedAfterCloseIsClosedAtOnce() {
    InformerGroup group = new InformerGroup();
    group.close();
    SharedIndexInformer<ConfigMap> late = group.add(inform());
    assertThat(late.isRunning()).isFalse();
  }

  /**
   * The controller's failure before the group existed: close() iterated a plain list while the
   * leader-election thread was still adding to it (ConcurrentModificationException), and an
   * informer added after the iteration stayed open. Here a start adds informers in a loop while
   * close() runs; whatever the interleaving, close() does not throw and none is left running.
   */
  @Test
  void aCloseRacingAStartLeavesNoInformerRunning() throws Exception {
    ExecutorService starter = Executors.newSingleThreadExecutor();
    try {
      for (int round = 0; round < 20; round++) {
        InformerGroup group = new InformerGroup();
        List<SharedIndexInformer<?>> started = new ArrayList<>();
        CountDownLatch first = new CountDownLatch(1);
        Future<?> start =
            starter.submit(
                () -> {
                  for (int i = 0; i < 6; i++) {
                    synchronized (started) {
                      started.add(group.add(inform()));
                    }
                    first.countDown();
                  }
                });
        assertThat(first.await(10, TimeUnit.SECONDS)).isTrue();
        if (round % 2 == 1) {
          Thread.sleep(round); // land the close at different points of the start
        }
        group.close();
        start.get(20, TimeUnit.SECONDS);
        synchronized (started) {
          assertThat(started).hasSize(6);
          assertThat(started)
              .as("round %d: every informer of the start is closed", round)
              .noneMatch(SharedIndexInformer::isRunning);
        }
      }
    } finally {
      starter.shutdownNow();
    }
  }
}
