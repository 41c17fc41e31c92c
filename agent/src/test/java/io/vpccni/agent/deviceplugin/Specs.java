package io.vpccni.agent.deviceplugin;

import io.vpccni.crd.NodeEniSpec;
import java.util.ArrayList;
import java.util.List;

/** NodeENI specs for the device plugin's tests. */
final class Specs {
  private Specs() {}

  /** maxEnis × ipsPerEni, with one ENI per entry of {@code ipsOnEnis} holding that many IPs. */
  static NodeEniSpec spec(int maxEnis, int ipsPerEni, Long subnetFree, int... ipsOnEnis) {
    NodeEniSpec s = new NodeEniSpec();
    s.nodeName = "n1";
    s.maxEnis = maxEnis;
    s.ipsPerEni = ipsPerEni;
    for (int i = 0; i < ipsOnEnis.length; i++) {
      NodeEniSpec.Eni e = new NodeEniSpec.Eni();
      e.id = "eni-" + (i + 1);
      e.deviceIndex = i + 1;
      e.subnetId = "subnet-1";
      e.state = "Attached";
      List<String> ips = new ArrayList<>();
      for (int k = 0; k < ipsOnEnis[i]; k++) {
        ips.add("10.0." + (i + 1) + "." + (20 + k));
      }
      e.ips = ips;
      s.enis.add(e);
    }
    if (subnetFree != null) {
      s.subnets.add(subnet("subnet-1", subnetFree));
    }
    return s;
  }

  static NodeEniSpec.Subnet subnet(String id, long free) {
    NodeEniSpec.Subnet sub = new NodeEniSpec.Subnet();
    sub.id = id;
    sub.cidr = "10.0.0.0/16";
    sub.freeIps = free;
    return sub;
  }
}
