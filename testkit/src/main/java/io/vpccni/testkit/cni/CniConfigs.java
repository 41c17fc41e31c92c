package io.vpccni.testkit.cni;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds CNI configuration text: a conflist as an administrator writes it to {@code
 * /etc/cni/net.d}, and the per-plugin network configuration a runtime streams to a plugin on stdin
 * (spec §3 "Deriving request configuration": the plugin object plus {@code cniVersion} and {@code
 * name}, and {@code runtimeConfig}/{@code prevResult} where the verb has them).
 */
public final class CniConfigs {
  public static final String NETWORK = "vpc-test";

  private CniConfigs() {}

  /** The vpc-cni plugin object of a conflist, talking to the agent at {@code agentSocket}. */
  public static Map<String, Object> vpcCniPlugin(String agentSocket) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("type", "vpc-cni");
    p.put("agentSocket", agentSocket);
    return p;
  }

  /** A conflist text with the given plugin objects, in order. */
  public static String conflist(String cniVersion, String name, List<Map<String, Object>> plugins) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("cniVersion", cniVersion);
    c.put("name", name);
    c.put("plugins", new ArrayList<>(plugins));
    return JsonText.write(c);
  }

  /** The stdin of one plugin invocation, derived from a plugin object as spec §3 says. */
  public static Map<String, Object> netconf(
      String cniVersion, String name, Map<String, Object> plugin) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("cniVersion", cniVersion);
    c.put("name", name);
    for (Map.Entry<String, Object> e : plugin.entrySet()) {
      if (!e.getKey().equals("capabilities")) {
        c.put(e.getKey(), e.getValue());
      }
    }
    return c;
  }

  /** The usual stdin for vpc-cni: network {@value #NETWORK}, the agent at {@code agentSocket}. */
  public static Map<String, Object> netconf(String cniVersion, String agentSocket) {
    return netconf(cniVersion, NETWORK, vpcCniPlugin(agentSocket));
  }

  /** {@link #netconf(String, String)} as the JSON text a runtime writes to stdin. */
  public static String netconfJson(String cniVersion, String agentSocket) {
    return JsonText.write(netconf(cniVersion, agentSocket));
  }

  /** {@code netconf} plus {@code prevResult} (CHECK, DEL). */
  public static Map<String, Object> withPrevResult(Map<String, Object> netconf, Object prevResult) {
    return JsonText.with(netconf, "prevResult", prevResult);
  }

  /**
   * A 1.1.0-shaped ADD result (one pod interface with the given address) written for {@code
   * cniVersion}: 0.4.0 gets {@code ips[].version}, 1.0.0 loses the 1.1.0-only fields.
   */
  public static Map<String, Object> result(String cniVersion, String sandbox, String cidr) {
    Map<String, Object> iface =
        JsonText.obj("name", "eth0", "mac", "02:00:0a:00:01:05", "sandbox", sandbox);
    if (cniVersion.equals("1.1.0")) {
      iface.put("mtu", 1500);
    }
    Map<String, Object> ip = new LinkedHashMap<>();
    if (cniVersion.equals("0.4.0")) {
      ip.put("version", cidr.indexOf(':') >= 0 ? "6" : "4");
    }
    ip.put("interface", 0);
    ip.put("address", cidr);
    return JsonText.obj(
        "cniVersion", cniVersion,
        "interfaces", List.of(iface),
        "ips", List.of(ip),
        "routes", List.of(JsonText.obj("dst", cidr.indexOf(':') >= 0 ? "::/0" : "0.0.0.0/0")));
  }

  /** The CNI_* environment of an attachment verb (ADD, CHECK, DEL). */
  public static Map<String, String> env(
      String verb, String containerId, String netns, String ifName) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("CNI_COMMAND", verb);
    env.put("CNI_CONTAINERID", containerId);
    if (netns != null) {
      env.put("CNI_NETNS", netns);
    }
    env.put("CNI_IFNAME", ifName);
    env.put("CNI_PATH", "/opt/cni/bin");
    return env;
  }
}
