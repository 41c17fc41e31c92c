package io.vpccni.agent.datapath;

import io.vpccni.agentapi.JsonObject;
import io.vpccni.netaddr.IpAddress;
import io.vpccni.netaddr.IpPrefix;
import io.vpccni.netlink.Link;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds CNI results in the cniVersion 1.1.0 shape (the binary converts to older versions). */
public final class Results {
  private Results() {}

  /** Host veth first (no sandbox), then the pod interface; the IP belongs to the pod interface. */
  public static JsonObject veth(
      Link host, Link pod, PodRequest req, IpPrefix podIp, IpAddress gateway, int mtu) {
    List<Object> interfaces = new ArrayList<>();
    interfaces.add(iface(host.name(), host, null, 0));
    interfaces.add(iface(req.ifName(), pod, req.netns().toString(), mtu));
    return withIp(interfaces, 1, podIp, gateway);
  }

  /** Exclusive ENI: node-local veth's host end, then the ENI in the pod. */
  public static JsonObject exclusive(
      Link hostVeth, Link eni, PodRequest req, IpPrefix eniIp, IpAddress gateway, int mtu) {
    List<Object> interfaces = new ArrayList<>();
    interfaces.add(iface(hostVeth.name(), hostVeth, null, 0));
    interfaces.add(iface(req.ifName(), eni, req.netns().toString(), mtu));
    return withIp(interfaces, 1, eniIp, gateway);
  }

  private static JsonObject withIp(
      List<Object> interfaces, int ifIndex, IpPrefix ip, IpAddress gateway) {
    Map<String, Object> ipEntry = new LinkedHashMap<>();
    ipEntry.put("address", ip.toString());
    ipEntry.put("gateway", gateway.toString());
    ipEntry.put("interface", ifIndex);
    Map<String, Object> route = new LinkedHashMap<>();
    route.put("dst", ip.address().isV4() ? "0.0.0.0/0" : "::/0");
    route.put("gw", gateway.toString());
    return JsonObject.create()
        .put("interfaces", interfaces)
        .put("ips", List.of(ipEntry))
        .put("routes", List.of(route))
        .put("dns", new LinkedHashMap<>());
  }

  private static Map<String, Object> iface(String name, Link link, String sandbox, int mtu) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    if (link.mac() != null) {
      m.put("mac", link.mac().toString());
    }
    if (mtu > 0) {
      m.put("mtu", mtu);
    }
    if (sandbox != null) {
      m.put("sandbox", sandbox);
    }
    return m;
  }
}
