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
    subcommands = {LocalCommand.ApiServer.class})
public final class LocalCommand {

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
