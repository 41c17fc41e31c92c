package io.vpccni.cli.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.vpccni.crd.NodeEni;
import io.vpccni.crd.NodeEniSpec;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiServerStandInTest {
  @TempDir Path dir;

  @Test
  void servesNodesAndNodeEnisThroughItsKubeconfig() throws Exception {
    try (ApiServerStandIn api = ApiServerStandIn.start(0)) {
      api.writeKubeconfig(dir.resolve("kubeconfig"));
      assertThat(api.url()).startsWith("http://127.0.0.1:");
      try (KubernetesClient c = api.client()) {
        c.nodes()
            .resource(new NodeBuilder().withNewMetadata().withName("node-1").endMetadata().build())
            .create();
        NodeEni n = new NodeEni();
        n.setMetadata(new ObjectMetaBuilder().withName("node-1").build());
        n.setSpec(new NodeEniSpec());
        c.resources(NodeEni.class).resource(n).create();
        assertThat(c.nodes().list().getItems()).hasSize(1);
        assertThat(c.resources(NodeEni.class).withName("node-1").get()).isNotNull();
      }
    }
  }

  /** What leader election relies on: of two writers of one Lease version, the second is refused. */
  @Test
  void refusesALeaseUpdateFromAStaleResourceVersion() throws Exception {
    try (ApiServerStandIn api = ApiServerStandIn.start(0);
        KubernetesClient c = api.client()) {
      var leases = c.resources(Lease.class).inNamespace("default");
      leases
          .resource(
              new LeaseBuilder()
                  .withNewMetadata()
                  .withName("l")
                  .endMetadata()
                  .withNewSpec()
                  .withHolderIdentity("a")
                  .endSpec()
                  .build())
          .create();
      Lease seenByA = leases.withName("l").get();
      Lease seenByB = leases.withName("l").get();
      seenByA.getSpec().setHolderIdentity("a2");
      leases.resource(seenByA).update();
      seenByB.getSpec().setHolderIdentity("b");

      assertThatThrownBy(() -> leases.resource(seenByB).update())
          .isInstanceOf(KubernetesClientException.class)
          .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(409));
      assertThat(leases.withName("l").get().getSpec().getHolderIdentity()).isEqualTo("a2");
    }
  }
}
