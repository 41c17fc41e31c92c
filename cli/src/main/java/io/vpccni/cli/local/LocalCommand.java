package io.vpccni.cli.local;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vpc-cni-cli local ...}: pieces of the one-machine cluster. Today: the API server stand-in
 * as a foreground process ({@code local apiserver}); {@code local up|down|pod} build on it.
 */
@Command(
    name = "local",
    description =
        "Run parts of a local vpc-cni cluster on this machine (loopback and namespaces only).",
    subcommands = {
      LocalCommand.ApiServer.class,
      LocalCommand.Up.class,
      LocalCommand.Down.class,
      LocalCommand.Pod.class
    })
public final class LocalCommand {
  static final String DEFAULT_DIR = "/tmp/vpccni-local";

  /** dist/ of this installation: the CLI runs from dist/lib/cli/*.jar. */
  static Path dist() {
    try {
      Path jar =
          Path.of(LocalCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      Path lib = jar.getParent();
      if (lib != null
          && lib.getFileName().toString().equals("cli")
          && lib.getParent().getFileName().toString().equals("lib")) {
        return lib.getParent().getParent();
      }
    } catch (Exception e) {
      // fall through
    }
    return Path.of("dist").toAbsolutePath();
  }

  @Command(
      name = "up",
      description =
          "Start a local cluster: VPC emulator, API server stand-in, controller, one agent per node.")
  static final class Up implements Callable<Integer> {
    @Option(
        names = "--nodes",
        defaultValue = "2",
        description = "number of nodes (default ${DEFAULT-VALUE})")
    int nodes;

    @Option(
        names = "--dir",
        defaultValue = DEFAULT_DIR,
        description = "working directory (default ${DEFAULT-VALUE})")
    Path dir;

    @Option(
        names = {"-o", "--output"},
        defaultValue = "table",
        description = "table or json")
    String output;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      var out = spec.commandLine().getOut();
      boolean json = output.equals("json");
      var d =
          new LocalCluster(dir, dist())
              .up(
                  nodes,
                  msg -> {
                    if (!json) {
                      out.println("== " + msg);
                      out.flush();
                    }
                  });
      if (json) {
        out.println(d);
        return 0;
      }
      out.printf(
          "%nlocal cluster up (namespaces %s-*), kubeconfig %s%n",
          d.string("prefix"), d.string("kubeconfig"));
      out.printf("%-8s %-16s %-12s %s%n", "NODE", "NETNS", "IP", "AGENT SOCKET / CONFLIST");
      for (var n : d.objects("nodes")) {
        out.printf(
            "%-8s %-16s %-12s %s%n%-38s %s%n",
            n.string("name"),
            n.string("netns"),
            n.string("ip"),
            n.string("agentSocket"),
            "",
            n.string("conflist"));
      }
      out.printf(
          "VPC host: %s (%s); emulator %s; API server %s%n",
          d.object("vpcHost").string("ip"),
          d.object("vpcHost").string("netns"),
          d.string("vpcUrl"),
          d.string("apiUrl"));
      return 0;
    }
  }

  @Command(
      name = "down",
      description = "Stop the local cluster and remove every process, namespace and file it made.")
  static final class Down implements Callable<Integer> {
    @Option(
        names = "--dir",
        defaultValue = DEFAULT_DIR,
        description = "working directory (default ${DEFAULT-VALUE})")
    Path dir;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      new LocalCluster(dir, dist()).down(msg -> spec.commandLine().getOut().println("== " + msg));
      return 0;
    }
  }

  @Command(
      name = "pod",
      description =
          "add|del NAME --node N: run a pod namespace through the real CNI binary, as a runtime would.")
  static final class Pod implements Callable<Integer> {
    @CommandLine.Parameters(index = "0", description = "add or del")
    String verb;

    @CommandLine.Parameters(index = "1", description = "pod name")
    String name;

    @Option(
        names = "--node",
        defaultValue = "1",
        description = "node number (default ${DEFAULT-VALUE})")
    int node;

    @Option(
        names = "--namespace",
        defaultValue = "default",
        description = "the pod's Kubernetes namespace (default ${DEFAULT-VALUE})")
    String namespace;

    @Option(names = "--label", description = "a label of the Pod object, KEY=VALUE (repeatable)")
    java.util.Map<String, String> labels = new java.util.LinkedHashMap<>();

    @Option(
        names = "--annotation",
        description = "an annotation of the Pod object, KEY=VALUE (repeatable)")
    java.util.Map<String, String> annotations = new java.util.LinkedHashMap<>();

    @Option(
        names = "--dir",
        defaultValue = DEFAULT_DIR,
        description = "working directory (default ${DEFAULT-VALUE})")
    Path dir;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      if (!namespace.matches("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")) {
        spec.commandLine()
            .getErr()
            .println("pod: --namespace must be a DNS label (RFC 1123), not " + namespace);
        return 2;
      }
      if (!verb.equals("add") && !verb.equals("del")) {
        spec.commandLine().getErr().println("pod: the verb must be add or del, not " + verb);
        return 2;
      }
      if (!name.matches("[a-z0-9][a-z0-9-]{0,20}")) {
        spec.commandLine()
            .getErr()
            .println("pod: the name must be 1-21 lower-case letters, digits or '-', not " + name);
        return 2;
      }
      var out = spec.commandLine().getOut();
      out.println(
          new LocalCluster(dir, dist())
              .pod(
                  verb.toUpperCase(java.util.Locale.ROOT),
                  new io.fabric8.kubernetes.api.model.PodBuilder()
                      .withNewMetadata()
                      .withNamespace(namespace)
                      .withName(name)
                      .withLabels(labels)
                      .withAnnotations(annotations)
                      .endMetadata()
                      .build(),
                  node)
              .strip());
      out.flush();
      return 0;
    }
  }

  @Command(
      name = "apiserver",
      description =
          "Serve a Kubernetes API stand-in (fabric8 mock server, CRUD mode) on 127.0.0.1 until stopped.")
  static final class ApiServer implements Callable<Integer> {
    @Option(
        names = "--port",
        description = "port on 127.0.0.1 (0 = any free port; default ${DEFAULT-VALUE})",
        defaultValue = "0")
    int port;

    @Option(
        names = "--kubeconfig",
        required = true,
        description = "where to write a kubeconfig for it")
    Path kubeconfig;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      if (port < 0 || port > 65535) {
        spec.commandLine().getErr().println("--port must be 0..65535, not " + port);
        return 2;
      }
      CountDownLatch stop = new CountDownLatch(1);
      try (ApiServerStandIn api = ApiServerStandIn.start(port)) {
        api.writeKubeconfig(kubeconfig);
        spec.commandLine().getOut().println(api.url());
        spec.commandLine().getOut().flush();
        Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
        stop.await();
      }
      return 0;
    }
  }
}
