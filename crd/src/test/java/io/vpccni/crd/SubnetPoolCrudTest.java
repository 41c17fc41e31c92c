package io.vpccni.crd;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vpccni.crd.events.EventRecorder;
import io.vpccni.testkit.kube.MockKubeApi;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** SubnetPool, the new NodeENI fields and Event series against a mock (CRUD) API server. */
@MockKubeApi
class SubnetPoolCrudTest {
  static KubernetesClient client;

  @BeforeEach
  void installCrds() throws Exception {
    for (String r : List.of(NodeEni.CRD_RESOURCE, SubnetPool.CRD_RESOURCE)) {
      try (InputStream in = NodeEni.class.getResourceAsStream(r)) {
        client
            .resource(
                client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class))
            .createOr(c -> c.update());
      }
    }
  }

  @Test
  void crdManifestMatchesTheJavaType() throws Exception {
    try (InputStream in = NodeEni.class.getResourceAsStream(SubnetPool.CRD_RESOURCE)) {
      CustomResourceDefinition crd =
          client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
      assertThat(crd.getMetadata().getName())
          .isEqualTo(SubnetPool.CRD_NAME)
          .isEqualTo(new SubnetPool().getCRDName());
      assertThat(crd.getSpec().getScope()).isEqualTo("Cluster");
      assertThat(crd.getSpec().getNames().getKind()).isEqualTo(new SubnetPool().getKind());
      var props = crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema();
      var spec = props.getProperties().get("spec");
      assertThat(spec.getRequired()).containsExactly("subnets");
      assertThat(spec.getProperties())
          .containsKeys(
              "subnets", "namespaceSelector", "podSelector", "securityGroups", "priority");
      assertThat(spec.getProperties().get("podSelector").getProperties())
          .containsKeys("matchLabels", "matchExpressions");
    }
  }

  @Test
  void specAndStatusRoundTrip() {
    SubnetPool p = new SubnetPool();
    p.setMetadata(new ObjectMetaBuilder().withName("team-a").build());
    p.setSpec(new SubnetPoolSpec());
    p.getSpec().subnets = List.of("subnet-a1", "subnet-a2");
    p.getSpec().namespaceSelector =
        new LabelSelectorBuilder().withMatchLabels(Map.of("team", "a")).build();
    p.getSpec().securityGroups = List.of("sg-a");
    p.getSpec().priority = 10;
    client.resource(p).create();
    SubnetPool back = client.resources(SubnetPool.class).withName("team-a").get();
    assertThat(back.getSpec().namespaceSelector.getMatchLabels()).containsEntry("team", "a");
    assertThat(back.getSpec().priority).isEqualTo(10);

    SubnetPoolStatus st = new SubnetPoolStatus();
    SubnetPoolStatus.Subnet s = new SubnetPoolStatus.Subnet();
    s.id = "subnet-a1";
    s.cidr = "10.1.0.0/24";
    s.free = 200;
    st.subnets.add(s);
    back.setStatus(st);
    client.resource(back).updateStatus();
    assertThat(client.resources(SubnetPool.class).withName("team-a").get().getStatus().subnets)
        .singleElement()
        .satisfies(x -> assertThat(x.free).isEqualTo(200));
  }

  @Test
  void nodeEniCarriesPoolsConditionsAndDemandByPool() {
    NodeEni n = new NodeEni();
    n.setMetadata(new ObjectMetaBuilder().withName("node-p").build());
    n.setSpec(new NodeEniSpec());
    n.getSpec().nodeName = "node-p";
    NodeEniSpec.Eni eni = new NodeEniSpec.Eni();
    eni.id = "eni-1";
    eni.pool = "team-a";
    n.getSpec().enis = List.of(eni);
    NodeEniSpec.PoolCondition c = new NodeEniSpec.PoolCondition();
    c.pool = "team-a";
    c.reason = "SubnetExhausted";
    n.getSpec().conditions = List.of(c);
    client.resource(n).create();
    NodeEni back = client.resources(NodeEni.class).withName("node-p").get();
    assertThat(back.getSpec().enis.get(0).pool).isEqualTo("team-a");
    assertThat(back.getSpec().conditions.get(0).reason).isEqualTo("SubnetExhausted");
    back.setStatus(new NodeEniStatus());
    back.getStatus().demandByPool = Map.of("team-a", 3);
    client.resource(back).updateStatus();
    assertThat(client.resources(NodeEni.class).withName("node-p").get().getStatus().demandByPool)
        .containsEntry("team-a", 3);
  }

  @Test
  void eventsAreASeriesNotOnePerRetry() {
    Instant[] now = {Instant.parse("2026-01-01T00:00:00Z")};
    Clock clock =
        new Clock() {
          @Override
          public ZoneOffset getZone() {
            return ZoneOffset.UTC;
          }

          @Override
          public Clock withZone(java.time.ZoneId zone) {
            return this;
          }

          @Override
          public Instant instant() {
            return now[0];
          }
        };
    EventRecorder events =
        new EventRecorder(client, "vpc-cni-agent", "n1", clock, Duration.ofSeconds(30));
    var pod =
        new ObjectReferenceBuilder()
            .withKind("Pod")
            .withApiVersion("v1")
            .withNamespace("ns1")
            .withName("web-0")
            .build();
    assertThat(events.warning(pod, "SubnetExhausted", "m1"))
        .isEqualTo(EventRecorder.Outcome.CREATED);
    for (int i = 0; i < 10; i++) {
      now[0] = now[0].plusSeconds(1);
      assertThat(events.warning(pod, "SubnetExhausted", "m1"))
          .isEqualTo(EventRecorder.Outcome.COUNTED);
    }
    now[0] = now[0].plusSeconds(30);
    assertThat(events.warning(pod, "SubnetExhausted", "m2"))
        .isEqualTo(EventRecorder.Outcome.UPDATED);
    var list = client.v1().events().inNamespace("ns1").list().getItems();
    assertThat(list).singleElement();
    assertThat(list.get(0).getCount()).isEqualTo(12);
    assertThat(list.get(0).getMessage()).isEqualTo("m2");
    assertThat(list.get(0).getType()).isEqualTo("Warning");
    assertThat(list.get(0).getInvolvedObject().getName()).isEqualTo("web-0");
  }
}
