package io.vpccni.cli.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
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
}
