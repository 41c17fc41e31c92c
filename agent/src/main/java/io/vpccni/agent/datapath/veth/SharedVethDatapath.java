package io.vpccni.agent.datapath.veth;

import io.vpccni.agent.config.EniSpec;
import io.vpccni.agent.datapath.Bandwidth;
import io.vpccni.agent.datapath.Datapath;
import io.vpccni.agent.datapath.DatapathException;
import io.vpccni.agent.datapath.Names;
import io.vpccni.agent.datapath.NodeNetwork;
import io.vpccni.agent.datapath.PodRequest;
import io.vpccni.agent.datapath.Results;
import io.vpccni.agent.datapath.Steps;
import io.vpccni.agent.store.Allocation;
import io.vpccni.agentapi.JsonObject;
import io.vpccni.netaddr.IpAddress;
import io.vpccni.netaddr.IpPrefix;
import io.vpccni.netlink.Addr;
import io.vpccni.netlink.ExistsException;
import io.vpccni.netlink.Link;
import io.vpccni.netlink.Neigh;
import io.vpccni.netlink.Netlink;
import io.vpccni.netlink.NetlinkException;
import io.vpccni.netlink.Netns;
import io.vpccni.netlink.NetnsGoneException;
import io.vpccni.netlink.NotFoundException;
import io.vpccni.netlink.Route;
import io.vpccni.netlink.Rule;
import io.vpccni.netlink.Scope;
import io.vpccni.netlink.VethSpec;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shared-ENI mode on a veth pair (the default). The pod side holds the pod's /32 and a default
 * route via a link-local gateway ({@value #GATEWAY_TEXT}) whose MAC is pinned by a permanent
 * neighbour entry (the host veth's MAC), so the pod never ARPs for it. The node side has a /32
 * route to the host veth in the main table, {@code ip rule to <pod> lookup main} (priority {@value
 * #RULE_TO_PRIORITY}, so pod-to-pod traffic on one node stays local) and {@code ip rule from <pod>
 * lookup <ENI table>} (priority {@value #RULE_FROM_PRIORITY}, so everything else leaves through the
 * ENI that owns the IP, as the VPC's anti-spoofing requires).
 */
public final class SharedVethDatapath implements Datapath {
  private static final Logger logger = LoggerFactory.getLogger(SharedVethDatapath.class);
  static final String GATEWAY_TEXT = "169.254.1.1";
  public static final IpAddress GATEWAY = IpAddress.parse(GATEWAY_TEXT);
  public static final int RULE_TO_PRIORITY = 512;
  public static final int RULE_FROM_PRIORITY = 1536;
  private static final IpPrefix DEFAULT_V4 = IpPrefix.parse("0.0.0.0/0");

  private final NodeNetwork node;
  private final int defaultMtu;

  public SharedVethDatapath(NodeNetwork node, int defaultMtu) {
    this.node = node;
    this.defaultMtu = defaultMtu;
  }

  @Override
  public Setup setup(PodRequest req, Allocation alloc, EniSpec eni, Steps steps)
      throws DatapathException {
    Netlink host = node.netlink();
    String hostName = alloc.hostIf();
    IpPrefix podIp = alloc.ip().toHostPrefix();
    int table = node.table(eni);
    int mtu = mtu(req, eni);
    try (Netns podNs = Netns.open(req.netns());
        Netlink pod = Netlink.in(podNs)) {
      if (pod.linkByName(req.ifName()).isPresent()) {
        throw new DatapathException(
            DatapathException.SETUP_FAILED,
            "interface " + req.ifName() + " already exists in " + req.netns());
      }
      // A veth left by an interrupted ADD of the same attachment: start clean.
      host.linkByName(hostName).ifPresent(l -> host.linkDel(l.index()));
      Link hostLink = host.vethAdd(new VethSpec(hostName, req.ifName(), podNs, mtu));
      steps.reached("veth-created");

      Link podLink = pod.link(req.ifName());
      pod.addrAdd(new Addr(podLink.index(), podIp));
      pod.linkSetUp(podLink.index());
      pod.neighSet(Neigh.permanent(podLink.index(), GATEWAY, hostLink.mac()));
      pod.routeAdd(Route.to(DEFAULT_V4).via(GATEWAY).dev(podLink.index()).withOnlink());
      steps.reached("pod-configured");

      host.linkSetUp(hostLink.index());
      host.routeReplace(Route.to(podIp).dev(hostLink.index()).scope(Scope.LINK));
      steps.reached("host-route");

      addRule(host, Rule.to(podIp, RULE_TO_PRIORITY, Route.TABLE_MAIN));
      addRule(host, Rule.from(podIp, RULE_FROM_PRIORITY, table));
      steps.reached("rules");
      if (req.bandwidth().isPresent()) {
        // traffic to the pod leaves the host's end; traffic from the pod leaves the pod's end
        Bandwidth bw = req.bandwidth().get();
        if (bw.limitsIngress()) {
          host.tbfSet(hostLink.index(), tbf(bw.ingressRate(), bw.ingressBurst()));
        }
        if (bw.limitsEgress()) {
          pod.tbfSet(podLink.index(), tbf(bw.egressRate(), bw.egressBurst()));
        }
        steps.reached("bandwidth");
      }
      return new Setup(Results.veth(hostLink, podLink, req, podIp, GATEWAY, mtu), alloc);
    } catch (NetnsGoneException e) {
      throw new DatapathException(
          DatapathException.SETUP_FAILED, "pod network namespace " + req.netns() + " is gone", e);
    } catch (NetlinkException e) {
      throw new DatapathException(DatapathException.SETUP_FAILED, e.getMessage(), e);
    }
  }

  private static io.vpccni.netlink.Tbf tbf(long rate, long burstBits) {
    io.vpccni.netlink.Tbf dflt = io.vpccni.netlink.Tbf.forRate(rate);
    var burst = Bandwidth.burstBytes(rate, burstBits);
    if (burst.isEmpty() || burst.getAsLong() < dflt.burstBytes()) {
      return dflt; // below 32 KiB an offloaded packet could never pass
    }
    int b = (int) Math.min(Integer.MAX_VALUE / 2, burst.getAsLong());
    return new io.vpccni.netlink.Tbf(rate, b, b + dflt.limitBytes() - dflt.burstBytes());
  }

  private int mtu(PodRequest req, EniSpec eni) {
    if (req.mtu() > 0) {
      return req.mtu();
    }
    if (defaultMtu > 0) {
      return defaultMtu;
    }
    return node.eniLink(eni).map(Link::mtu).orElse(1500);
  }

  private static void addRule(Netlink nl, Rule r) {
    try {
      nl.ruleAdd(r);
    } catch (ExistsException e) {
      // already there from an interrupted ADD: fine
    }
  }

  @Override
  public void teardown(Allocation alloc, EniSpec eni) {
    Netlink host = node.netlink();
    IpPrefix podIp = alloc.ip().toHostPrefix();
    String hostName =
        alloc.hostIf().isEmpty()
            ? Names.hostVeth(alloc.containerId(), alloc.ifName())
            : alloc.hostIf();
    // Deleting the host end removes the pod end, its address, neighbour and routes, and the
    // host's /32 route through it.
    quietly(() -> host.linkByName(hostName).ifPresent(l -> host.linkDel(l.index())));
    quietly(() -> host.routeDel(Route.to(podIp).table(Route.TABLE_MAIN)));
    for (Rule r : host.ruleList(podIp.address().family())) {
      if (podIp.equals(r.from()) || podIp.equals(r.to())) {
        quietly(() -> host.ruleDel(r));
      }
    }
  }

  @Override
  public void check(Allocation alloc, EniSpec eni) throws DatapathException {
    Netlink host = node.netlink();
    IpPrefix podIp = alloc.ip().toHostPrefix();
    Link hostLink =
        host.linkByName(alloc.hostIf())
            .orElseThrow(() -> checkFailed("host interface " + alloc.hostIf() + " is missing"));
    boolean hostRoute =
        host.routeList(Route.TABLE_MAIN, 2).stream()
            .anyMatch(r -> r.dst().equals(podIp) && r.linkIndex() == hostLink.index());
    if (!hostRoute) {
      throw checkFailed(
          "route " + podIp.address() + " dev " + alloc.hostIf() + " is missing on the node");
    }
    List<Rule> rules = host.ruleList(2);
    if (rules.stream().noneMatch(r -> podIp.equals(r.from()) && r.table() == node.table(eni))) {
      throw checkFailed(
          "rule from "
              + podIp.address()
              + " lookup "
              + node.table(eni)
              + " is missing on the node");
    }
    if (rules.stream().noneMatch(r -> podIp.equals(r.to()) && r.table() == Route.TABLE_MAIN)) {
      throw checkFailed("rule to " + podIp.address() + " lookup main is missing on the node");
    }
    try (Netns podNs = Netns.open(Path.of(alloc.netns()));
        Netlink pod = Netlink.in(podNs)) {
      Link podLink =
          pod.linkByName(alloc.ifName())
              .orElseThrow(
                  () -> checkFailed("interface " + alloc.ifName() + " is missing in the pod"));
      if (pod.addrList(podLink.index(), 2).stream().noneMatch(a -> a.prefix().equals(podIp))) {
        throw checkFailed("address " + podIp + " is missing on " + alloc.ifName() + " in the pod");
      }
      boolean dflt =
          pod.routeList(Route.TABLE_MAIN, 2).stream()
              .anyMatch(
                  r ->
                      r.isDefault()
                          && GATEWAY.equals(r.gateway())
                          && r.linkIndex() == podLink.index());
      if (!dflt) {
        throw checkFailed("default route via " + GATEWAY + " is missing in the pod");
      }
      boolean neigh =
          pod.neighList(podLink.index(), 2).stream()
              .anyMatch(
                  n -> GATEWAY.equals(n.ip()) && n.isPermanent() && hostLink.mac().equals(n.mac()));
      if (!neigh) {
        throw checkFailed(
            "permanent neighbour "
                + GATEWAY
                + " lladdr "
                + hostLink.mac()
                + " is missing in the pod");
      }
    } catch (NetnsGoneException e) {
      throw checkFailed("pod network namespace " + alloc.netns() + " is gone");
    }
  }

  @Override
  public JsonObject result(Allocation alloc, EniSpec eni) throws DatapathException {
    Netlink host = node.netlink();
    Link hostLink =
        host.linkByName(alloc.hostIf())
            .orElseThrow(() -> checkFailed("host interface " + alloc.hostIf() + " is missing"));
    try (Netns podNs = Netns.open(Path.of(alloc.netns()));
        Netlink pod = Netlink.in(podNs)) {
      Link podLink =
          pod.linkByName(alloc.ifName())
              .orElseThrow(
                  () -> checkFailed("interface " + alloc.ifName() + " is missing in the pod"));
      PodRequest req =
          new PodRequest(
              alloc.containerId(),
              alloc.ifName(),
              Path.of(alloc.netns()),
              podLink.mtu(),
              alloc.podRef());
      return Results.veth(
          hostLink, podLink, req, alloc.ip().toHostPrefix(), GATEWAY, podLink.mtu());
    } catch (NetnsGoneException e) {
      throw checkFailed("pod network namespace " + alloc.netns() + " is gone");
    }
  }

  private static DatapathException checkFailed(String msg) {
    return new DatapathException(DatapathException.CHECK_FAILED, msg);
  }

  public static void quietly(Runnable r) {
    try {
      r.run();
    } catch (NotFoundException e) {
      // already gone
    } catch (NetlinkException e) {
      logger.warn("teardown step failed: {}", e.getMessage());
    }
  }
}
