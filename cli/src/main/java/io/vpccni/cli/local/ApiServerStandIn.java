package io.vpccni.cli.local;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.vpccni.crd.NodeEni;
import io.vpccni.crd.SubnetPool;
import io.vpccni.kubemock.WatchSafeCrudDispatcher;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;

/**
 * The local cluster's Kubernetes API server stand-in: fabric8's mock server in CRUD mode on
 * loopback, with the vpc-cni CRDs installed. It is NOT a kube-apiserver (none can run on the
 * machines this project is developed on): it stores and serves objects and watches, but has no
 * admission, no field selectors other than name/namespace, no garbage collection. docs say which
 * behaviours were verified only against it.
 */
public final class ApiServerStandIn implements AutoCloseable {
  /** Held, so that a level set on it sticks (JUL keeps loggers only weakly). */
  private static final java.util.logging.Logger REQUEST_LOG =
      java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  private final KubernetesMockServer server;

  /**
   * Drops the line the mock server logs at INFO for every request, in this JVM: for benchmarks
   * whose report goes to the same terminal. The local cluster keeps it (it is its API server log).
   */
  public static void quietRequestLog() {
    REQUEST_LOG.setLevel(java.util.logging.Level.WARNING);
  }

  private ApiServerStandIn(KubernetesMockServer server) {
    this.server = server;
  }

  /** Starts on 127.0.0.1:{@code port} (0 = any free port) and installs the CRDs. */
  public static ApiServerStandIn start(int port) throws IOException {
    KubernetesMockServer server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            new HashMap<>(),
            new WatchSafeCrudDispatcher(),
            false);
    server.init(InetAddress.getLoopbackAddress(), port);
    ApiServerStandIn s = new ApiServerStandIn(server);
    try (KubernetesClient c = s.client()) {
      for (String crd :
          java.util.List.of(
              NodeEni.CRD_RESOURCE,
              SubnetPool.CRD_RESOURCE,
              io.vpccni.crd.IpReservation.CRD_RESOURCE)) {
        try (InputStream in = NodeEni.class.getResourceAsStream(crd)) {
          c.resource(c.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class))
              .create();
        }
      }
    }
    return s;
  }

  public String url() {
    return "http://127.0.0.1:" + server.getPort();
  }

  /** A kubeconfig for this server (no credentials are checked). */
  public String kubeconfig() {
    return "apiVersion: v1\nkind: Config\nclusters:\n- name: vpc-cni-local\n  cluster:\n    server: "
        + url()
        + "\ncontexts:\n- name: vpc-cni-local\n  context:\n    cluster: vpc-cni-local\n    user: local\n"
        + "current-context: vpc-cni-local\nusers:\n- name: local\n  user:\n    token: local\n";
  }

  public void writeKubeconfig(Path file) throws IOException {
    Files.writeString(file, kubeconfig());
  }

  public KubernetesClient client() {
    return new KubernetesClientBuilder()
        .withConfig(io.fabric8.kubernetes.client.Config.fromKubeconfig(kubeconfig()))
        .build();
  }

  @Override
  public void close() {
    server.destroy();
  }
}
