package io.vpccni.agent.k8s;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vpccni.crd.NodeEni;
import io.vpccni.crd.NodeEniSpec;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/** NodeENI objects as a controller would write them, for tests. */
public final class NodeEniFixtures {
  private NodeEniFixtures() {}

  public static NodeEniSpec.Eni eni(int node, int e, int ips, String state) {
    NodeEniSpec.Eni x = new NodeEniSpec.Eni();
    x.id = "eni-" + node + "-" + e;
    x.mac = String.format("02:fa:%02x:%02x:00:01", node, e);
    x.deviceIndex = e;
    x.subnetCidr = "10." + node + "." + e + ".0/24";
    x.gateway = "10." + node + "." + e + ".1";
    x.primaryIp = "10." + node + "." + e + ".10";
    x.ips = new ArrayList<>();
    for (int i = 0; i < ips; i++) {
      x.ips.add("10." + node + "." + e + "." + (20 + i));
    }
    x.state = state;
    return x;
  }

  public static NodeEni nodeEni(String name, List<NodeEniSpec.Eni> enis) {
    NodeEni n = new NodeEni();
    n.setMetadata(new ObjectMetaBuilder().withName(name).build());
    NodeEniSpec spec = new NodeEniSpec();
    spec.nodeName = name;
    spec.instanceId = "i-" + name;
    spec.enis = new ArrayList<>(enis);
    n.setSpec(spec);
    return n;
  }

  public static void installCrd(KubernetesClient client) throws IOException {
    try (InputStream in = NodeEni.class.getResourceAsStream(NodeEni.CRD_RESOURCE)) {
      client
          .resource(
              client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class))
          .createOr(c -> c.update());
    }
  }

  /** A kubeconfig text pointing at {@code url} without credentials (the mock API server). */
  public static String kubeconfig(String url) {
    return "apiVersion: v1\nkind: Config\nclusters:\n- name: mock\n  cluster:\n    server: "
        + url
        + "\n    insecure-skip-tls-verify: true\ncontexts:\n- name: mock\n  context:\n    cluster: mock\n    user: mock\n"
        + "current-context: mock\nusers:\n- name: mock\n  user:\n    token: test\n";
  }
}
