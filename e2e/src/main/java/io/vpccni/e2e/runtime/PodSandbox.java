package io.vpccni.e2e.runtime;

/**
 * A running pod sandbox as the CNI plugin left it: its CRI id, the IP the runtime reported from the
 * plugin's result, and its network namespace (where commands can be run with {@link
 * NetworkNamespace#exec}).
 *
 * @param id the CRI pod sandbox id (the CNI_CONTAINERID the plugin saw)
 * @param name the pod name given to {@link Containerd#runPod}
 * @param ip the pod's primary IP from PodSandboxStatus (empty if the runtime reported none)
 * @param netns the pod's network namespace (the CNI_NETNS the plugin saw)
 */
public record PodSandbox(String id, String name, String ip, NetworkNamespace netns) {

  /** Runs a command in the pod's network namespace, e.g. {@code exec("ip", "-4", "addr")}. */
  public Command.Result exec(String... argv) {
    return netns.exec(argv);
  }

  @Override
  public String toString() {
    return "pod "
        + name
        + " "
        + ip
        + " (sandbox "
        + id.substring(0, Math.min(12, id.length()))
        + ", "
        + netns.path()
        + ")";
  }
}
