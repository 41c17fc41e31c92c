package io.vpccni.e2e.cluster;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.vpccni.agentapi.JsonObject;
import io.vpccni.cli.local.LocalCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** How the e2e tests get a local cluster: it needs root and a built {@code dist/}. */
final class LocalClusters {
  private LocalClusters() {}

  /** A cluster not yet up, in a fresh directory named after {@code name}. */
  static LocalCluster create(String name) throws IOException {
    Assumptions.assumeTrue(
        "root".equals(System.getProperty("user.name")),
        "the local cluster needs root (namespaces)");
    Path dist = Path.of(System.getProperty("vpccni.root", "."), "dist");
    if (!Files.isExecutable(dist.resolve("bin/vpc-cni-controller"))) {
      throw new IllegalStateException(dist + " is not built: run make build first");
    }
    Path dir = Files.createTempDirectory("vpccni-e2e-" + name);
    Files.delete(dir); // the cluster creates it, and refuses one that exists
    return new LocalCluster(dir, dist);
  }

  /** A client of the cluster's API server, from the kubeconfig its description names. */
  static KubernetesClient kube(JsonObject description) throws IOException {
    return new KubernetesClientBuilder()
        .withConfig(
            Config.fromKubeconfig(Files.readString(Path.of(description.string("kubeconfig")))))
        .build();
  }
}
