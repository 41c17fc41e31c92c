package io.vpccni.kubemock;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * Watches opened, fed events and closed by their client, forty times, with the server asked to
 * answer after each round. With fabric8's own dispatcher this run stalled the server 5 rounds in 40
 * (60 s each, Vert.x "Thread blocked" in {@code WatchEventsListener.onClosed}); the 10 s bound
 * below is a hang detector, two hundred times what an answer takes here.
 */
class WatchSafeCrudDispatcherTest {
  static final int ROUNDS = 40;

  @Test
  void closingWatchesNeverStallsTheServer() throws Exception {
    KubernetesMockServer server =
        new KubernetesMockServer(
            new Context(Serialization.jsonMapper()),
            new MockWebServer(),
            new HashMap<>(),
            new WatchSafeCrudDispatcher(),
            false);
    server.init();
    try (KubernetesClient client = server.createClient()) {
      for (int round = 0; round < ROUNDS; round++) {
        List<SharedIndexInformer<ConfigMap>> informers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          informers.add(client.configMaps().inAnyNamespace().inform(new Ignore()));
        }
        for (int i = 0; i < 5; i++) {
          client
              .configMaps()
              .inNamespace("ns")
              .resource(
                  new ConfigMapBuilder()
                      .withNewMetadata()
                      .withName("cm-" + round + "-" + i)
                      .endMetadata()
                      .build())
              .create();
        }
        informers.forEach(SharedIndexInformer::close);
        int expected = 5 * (round + 1);
        CompletableFuture<Integer> listed =
            CompletableFuture.supplyAsync(
                () -> client.configMaps().inNamespace("ns").list().getItems().size());
        try {
          assertThat(listed.get(10, TimeUnit.SECONDS)).isEqualTo(expected);
        } catch (TimeoutException e) {
          throw new AssertionError(
              "round " + round + ": the server did not answer within 10 s of watches closing", e);
        }
      }
    } finally {
      server.destroy();
    }
  }

  static final class Ignore implements ResourceEventHandler<ConfigMap> {
    @Override
    public void onAdd(ConfigMap obj) {}

    @Override
    public void onUpdate(ConfigMap oldObj, ConfigMap newObj) {}

    @Override
    public void onDelete(ConfigMap obj, boolean deletedFinalStateUnknown) {}
  }
}
