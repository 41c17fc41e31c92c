package io.vpccni.agent.deviceplugin;

import io.vpccni.agent.config.Mode;
import io.vpccni.crd.NodeEniSpec;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * How many pods a node can really serve, from its NodeENI spec: {@code min(quota, held + canCome)}.
 *
 * <ul>
 *   <li>{@code quota}, the instance type's static limit: {@code (maxEnis-1) × (ipsPerEni-1)}
 *       secondary IPs in shared modes, {@code maxEnis-1} ENIs in exclusive mode (the primary ENI
 *       stays the node's own and carries no pod);
 *   <li>{@code held}: the IPs (exclusive: the ENIs) the node holds now, on ENIs not being detached;
 *   <li>{@code canCome}: free IP slots on those ENIs plus {@code ENI slots left × (ipsPerEni-1)}
 *       (exclusive: ENI slots left), capped by the free addresses of the node's subnets ({@code
 *       spec.subnets}; a new ENI also spends one address on its own primary IP). Without subnet
 *       facts there is no cap.
 * </ul>
 *
 * A spec with impossible numbers gives 0 and says why in {@link #problem}: advertising nothing is
 * safer than advertising a guess.
 *
 * @param devices what to advertise
 * @param problem why the spec was refused, or null
 */
public record EniCapacity(int devices, int quota, int held, int canCome, String problem) {

  public static EniCapacity refused(String problem) {
    return new EniCapacity(0, 0, 0, 0, problem);
  }

  public static EniCapacity of(Mode mode, NodeEniSpec spec) {
    if (spec == null) {
      return refused("no NodeENI spec yet");
    }
    if (spec.maxEnis < 1) {
      return refused("spec.maxEnis must be at least 1 (the primary ENI), not " + spec.maxEnis);
    }
    if (spec.ipsPerEni < 1) {
      return refused(
          "spec.ipsPerEni must be at least 1 (the ENI's primary IP), not " + spec.ipsPerEni);
    }
    long subnetFree = 0;
    boolean capped = false;
    Set<String> seen = new HashSet<>();
    List<NodeEniSpec.Subnet> subnets = spec.subnets == null ? List.of() : spec.subnets;
    for (int i = 0; i < subnets.size(); i++) {
      NodeEniSpec.Subnet s = subnets.get(i);
      if (s == null) {
        continue;
      }
      if (s.freeIps < 0) {
        return refused("spec.subnets[" + i + "].freeIps must not be negative, not " + s.freeIps);
      }
      if (s.id == null || seen.add(s.id)) {
        subnetFree += s.freeIps;
        capped = true;
      }
    }
    long budget = capped ? subnetFree : Long.MAX_VALUE;
    int eniSlots = spec.maxEnis - 1;
    int perEni = spec.ipsPerEni - 1;
    List<NodeEniSpec.Eni> live =
        (spec.enis == null ? List.<NodeEniSpec.Eni>of() : spec.enis)
            .stream().filter(e -> e != null && !"Detaching".equals(e.state)).toList();
    int newEnis = Math.max(0, eniSlots - live.size());
    if (mode == Mode.EXCLUSIVE) {
      int held = Math.min(live.size(), eniSlots);
      int canCome = (int) Math.min(newEnis, budget); // one address per new ENI
      return new EniCapacity(Math.min(eniSlots, held + canCome), eniSlots, held, canCome, null);
    }
    long quota = (long) eniSlots * perEni;
    long held = 0;
    long freeSlots = 0;
    for (NodeEniSpec.Eni e : live) {
      int ips = e.ips == null ? 0 : e.ips.size();
      held += Math.min(ips, perEni);
      freeSlots += Math.max(0, perEni - ips);
    }
    long fromExisting = Math.min(freeSlots, budget);
    budget -= fromExisting;
    long fromNew = 0;
    for (int k = 0; k < newEnis && budget > 1 && perEni > 0; k++) {
      long ips = Math.min(perEni, budget - 1); // the new ENI's own primary IP comes first
      fromNew += ips;
      budget -= ips + 1;
    }
    long canCome = fromExisting + fromNew;
    long devices = Math.min(quota, held + canCome);
    return new EniCapacity(
        (int) Math.min(devices, Integer.MAX_VALUE),
        (int) Math.min(quota, Integer.MAX_VALUE),
        (int) held,
        (int) Math.min(canCome, Integer.MAX_VALUE),
        null);
  }
}
