package io.vpccni.crd;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vpccni.testkit.kube.MockKubeApi;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The types round-trip through a (mock, CRUD-mode) API server, spec and status separately. */
@MockKubeApi
class NodeEniCrudTest {
  static KubernetesClient client;

  @BeforeEach
  void installCrd() throws Exception {
    try (InputStream in = NodeEni.class.getResourceAsStream(NodeEni.CRD_RESOURCE)) {
      client
          .resource(
              client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class))
          .createOr(c -> c.update());
    }
  }

  @Test
  void crdManifestMatchesTheJavaType() throws Exception {
    try (InputStream in = NodeEni.class.getResourceAsStream(NodeEni.CRD_RESOURCE)) {
      CustomResourceDefinition crd =
          client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
      assertThat(crd.getMetadata().getName())
          .isEqualTo(NodeEni.CRD_NAME)
          .isEqualTo(new NodeEni().getCRDName());
      assertThat(crd.getSpec().getScope()).isEqualTo("Cluster");
      assertThat(crd.getSpec().getNames().getKind()).isEqualTo(new NodeEni().getKind());
      assertThat(crd.getSpec().getVersions().get(0).getName()).isEqualTo(NodeEni.VERSION);
    }
  }

  @Test
  void specAndStatusRoundTrip() {
    NodeEni n = new NodeEni();
    n.setMetadata(new ObjectMetaBuilder().withName("node-1").build());
    NodeEniSpec spec = new NodeEniSpec();
    spec.nodeName = "node-1";
    spec.instanceId = "i-1";
    NodeEniSpec.Eni eni = new NodeEniSpec.Eni();
    eni.id = "eni-1";
    eni.mac = "02:fa:01:01:00:01";
    eni.deviceIndex = 1;
    eni.subnetCidr = "10.1.1.0/24";
    eni.gateway = "10.1.1.1";
    eni.primaryIp = "10.1.1.10";
    eni.ips = List.of("10.1.1.20", "10.1.1.21");
    eni.state = "Attached";
    spec.enis = List.of(eni);
    n.setSpec(spec);
    client.resources(NodeEni.class).resource(n).create();

    NodeEni back = client.resources(NodeEni.class).withName("node-1").get();
    assertThat(back.getSpec().enis.get(0).ips).containsExactly("10.1.1.20", "10.1.1.21");
    assertThat(back.getSpec().warmPool.warmIps).isEqualTo(5);

    NodeEniStatus st = new NodeEniStatus();
    st.inUse = List.of("10.1.1.20");
    st.free = 1;
    back.setStatus(st);
    client.resources(NodeEni.class).resource(back).updateStatus();
    assertThat(client.resources(NodeEni.class).withName("node-1").get().getStatus().inUse)
        .containsExactly("10.1.1.20");
  }
}
