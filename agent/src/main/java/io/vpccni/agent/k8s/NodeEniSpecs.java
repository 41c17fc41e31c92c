package io.vpccni.agent.k8s;

import io.vpccni.agent.config.EniSpec;
import io.vpccni.agent.config.StaticEniSource;
import io.vpccni.agentapi.FieldException;
import io.vpccni.agentapi.JsonObject;
import io.vpccni.crd.NodeEniSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a NodeENI spec into the agent's {@link EniSpec}s, with the same checks as the static ENI
 * file (addresses inside the subnet, nothing twice, device indexes unique); an error names the
 * field as it stands in the object ({@code spec.enis[1].ips[0]}). Only ENIs in state {@code
 * Attached} are offered: an attaching ENI has no interface on the node yet, a detaching one is
 * about to lose it; nor are IPs listed in {@code spec.releaseIps}.
 */
public final class NodeEniSpecs {
  private NodeEniSpecs() {}

  /**
   * @throws FieldException naming the bad field under {@code spec.}
   */
  public static List<EniSpec> attached(NodeEniSpec spec) {
    if (spec == null) {
      return List.of();
    }
    List<Object> enis = new ArrayList<>();
    List<Integer> index = new ArrayList<>(); // position in spec.enis of each offered ENI
    List<NodeEniSpec.Eni> all = spec.enis == null ? List.of() : spec.enis;
    for (int i = 0; i < all.size(); i++) {
      NodeEniSpec.Eni e = all.get(i);
      if (e == null || !"Attached".equals(e.state)) {
        continue;
      }
      index.add(i);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", e.id);
      m.put("mac", e.mac);
      m.put("deviceIndex", (long) e.deviceIndex);
      m.put("subnet", e.subnetCidr);
      m.put("gateway", e.gateway);
      m.put("primaryIp", e.primaryIp);
      List<Object> ips = new ArrayList<>();
      for (String ip : e.ips == null ? List.<String>of() : e.ips) {
        if (spec.releaseIps == null || !spec.releaseIps.contains(ip)) {
          ips.add(ip); // an IP the controller is taking back is no longer offered
        }
      }
      m.put("ips", ips);
      m.put("pool", e.pool == null ? "" : e.pool);
      enis.add(m);
    }
    try {
      return StaticEniSource.parse(JsonObject.create().put("enis", enis));
    } catch (FieldException ex) {
      String field = ex.field();
      if (field.startsWith("enis[")) {
        int close = field.indexOf(']');
        int k = Integer.parseInt(field.substring(5, close));
        field = "enis[" + index.get(k) + field.substring(close);
      }
      throw new FieldException("spec." + field, problem(ex));
    }
  }

  private static String problem(FieldException ex) {
    String m = ex.getMessage();
    int colon = m.indexOf("\": ");
    return colon < 0 ? m : m.substring(colon + 3);
  }
}
