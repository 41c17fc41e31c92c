package io.vpccni.cli;

import io.vpccni.agentapi.JsonObject;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vpc-cni-cli max-pods}: the kubelet's {@code --max-pods} for a node of an instance type,
 * matching the capacity the device plugin advertises (docs/max-pods.md).
 */
@Command(
    name = "max-pods",
    description =
        "The kubelet's --max-pods for an instance type: pods the node's secondary ENIs can address"
            + " plus host-network pods. Prints the number alone (or JSON with -o json).")
final class MaxPods implements Callable<Integer> {
  @Option(names = "--instance-type", description = "e.g. m5.large (see docs/max-pods.md)")
  String instanceType;

  @Option(
      names = "--mode",
      description = "shared, ipvlan or exclusive (default: ${DEFAULT-VALUE})",
      defaultValue = "shared")
  String mode;

  @Option(names = "--max-enis", description = "ENIs per instance, the primary included")
  Integer maxEnis;

  @Option(names = "--ips-per-eni", description = "IPv4 addresses per ENI, its primary included")
  Integer ipsPerEni;

  @Option(
      names = "--host-network-pods",
      description =
          "pods on the host network, which take no VPC address (the agent, kube-proxy, ...)"
              + " (default: ${DEFAULT-VALUE})",
      defaultValue = "2")
  int hostNetworkPods;

  @Option(
      names = {"-o", "--output"},
      description = "text or json (default: ${DEFAULT-VALUE})",
      defaultValue = "text")
  String output;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    if (!mode.equals("shared") && !mode.equals("ipvlan") && !mode.equals("exclusive")) {
      err.println("--mode must be shared, ipvlan or exclusive, not \"" + mode + "\"");
      return 2;
    }
    if (!output.equals("text") && !output.equals("json")) {
      err.println("--output must be text or json, not \"" + output + "\"");
      return 2;
    }
    if (hostNetworkPods < 0) {
      err.println("--host-network-pods must not be negative, not " + hostNetworkPods);
      return 2;
    }
    Optional<InstanceLimits> known =
        instanceType == null ? Optional.empty() : InstanceLimits.byName(instanceType);
    if (instanceType == null && (maxEnis == null || ipsPerEni == null)) {
      err.println("pass --instance-type T, or the limits with --max-enis E --ips-per-eni I");
      return 2;
    }
    if (known.isEmpty() && (maxEnis == null || ipsPerEni == null)) {
      err.println(
          "unknown instance type \""
              + instanceType
              + "\": pass its limits with --max-enis E --ips-per-eni I (E = ENIs per instance,"
              + " the primary included; I = IPv4 addresses per ENI, its primary included), or use"
              + " one of: "
              + String.join(
                  ", ", InstanceLimits.TABLE.stream().map(InstanceLimits::name).toList()));
      return 2;
    }
    int e = maxEnis != null ? maxEnis : known.orElseThrow().maxEnis();
    int i = ipsPerEni != null ? ipsPerEni : known.orElseThrow().ipsPerEni();
    if (e < 1 || i < 1) {
      err.println(
          "--max-enis and --ips-per-eni must be at least 1 (each counts a primary), not "
              + e
              + " and "
              + i);
      return 2;
    }
    long podIps = InstanceLimits.podIps(mode.equals("exclusive"), e, i);
    long maxPods = podIps + hostNetworkPods;
    PrintWriter out = spec.commandLine().getOut();
    if (output.equals("json")) {
      JsonObject o = JsonObject.create();
      if (instanceType != null) {
        o.put("instanceType", instanceType);
      }
      o.put("mode", mode)
          .put("maxEnis", (long) e)
          .put("ipsPerEni", (long) i)
          .put("limitsFrom", maxEnis != null || ipsPerEni != null ? "flags" : "table")
          .put("podIps", podIps)
          .put("hostNetworkPods", (long) hostNetworkPods)
          .put("maxPods", maxPods);
      out.println(o);
    } else {
      out.println(maxPods);
    }
    return 0;
  }
}
