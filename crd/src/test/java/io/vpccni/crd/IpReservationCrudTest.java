package io.vpccni.crd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vpccni.testkit.kube.MockKubeApi;
import java.io.InputStream;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** IPReservation's CRD, Java type and TTL format against a mock (CRUD) API server. */
@MockKubeApi
class IpReservationCrudTest {
  static KubernetesClient client;

  @Test
  void crdManifestMatchesTheJavaType() throws Exception {
    try (InputStream in = NodeEni.class.getResourceAsStream(IpReservation.CRD_RESOURCE)) {
      CustomResourceDefinition crd =
          client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
      assertThat(crd.getMetadata().getName())
          .isEqualTo(IpReservation.CRD_NAME)
          .isEqualTo(new IpReservation().getCRDName());
      assertThat(crd.getSpec().getScope()).isEqualTo("Namespaced");
      assertThat(crd.getSpec().getNames().getKind()).isEqualTo(new IpReservation().getKind());
      var schema = crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema();
      var spec = schema.getProperties().get("spec");
      assertThat(spec.getRequired()).containsExactlyInAnyOrder("ip", "subnetId", "ttl");
      assertThat(spec.getProperties()).containsOnlyKeys("ip", "subnetId", "pool", "ttl");
      assertThat(schema.getProperties().get("status").getProperties())
          .containsOnlyKeys(
              "phase",
              "node",
              "eniId",
              "podUid",
              "releasedAt",
              "wantedNode",
              "wantedByUid",
              "wantedAt",
              "message");
      assertThat(schema.getProperties().get("status").getProperties().get("phase").getEnum())
          .extracting(Object::toString)
          .containsExactly("\"Bound\"", "\"Released\"", "\"Moving\"");
    }
  }

  @Test
  void roundTripsInThePodsNamespace() {
    IpReservation r = new IpReservation();
    r.setMetadata(new ObjectMetaBuilder().withName("web-0").withNamespace("shop").build());
    r.getSpec().ip = "10.0.1.7";
    r.getSpec().subnetId = "subnet-1";
    r.getSpec().ttl = "10m";
    r.getStatus().phase = IpReservation.BOUND;
    r.getStatus().node = "node1";
    client.resource(r).create();
    IpReservation back =
        client.resources(IpReservation.class).inNamespace("shop").withName("web-0").get();
    assertThat(back.getSpec().ip).isEqualTo("10.0.1.7");
    assertThat(back.getSpec().pool).isEmpty();
    assertThat(back.getStatus().phase).isEqualTo("Bound");
    assertThat(back.getStatus().node).isEqualTo("node1");
    assertThat(client.resources(IpReservation.class).inNamespace("other").list().getItems())
        .isEmpty();
  }

  @Test
  void ttlsParseAsUsersWriteThem() {
    assertThat(Durations.parse("10m")).isEqualTo(Duration.ofMinutes(10));
    assertThat(Durations.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(Durations.parse("90s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(Durations.format(Duration.ofMinutes(90))).isEqualTo("1h30m");
    assertThat(Durations.format(Duration.ofSeconds(45))).isEqualTo("45s");
    for (String bad : new String[] {"", "10", "ten minutes", "-5m", "1.5h", "0s", "721h", "5d"}) {
      assertThatThrownBy(() -> Durations.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("\"" + bad + "\"");
    }
  }
}
