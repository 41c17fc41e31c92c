package io.vpccni.agent.datapath.exclusive;

import static io.vpccni.agent.datapath.veth.SharedVethDatapath.quietly;

import io.vpccni.agent.config.EniSpec;
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
import io.vpccni.netlink.Link;
import io.vpccni.netlink.Netlink;
import io.vpccni.netlink.NetlinkException;
import io.vpccni.netlink.Netns;
import io.vpccni.netlink.NetnsGoneException;
import io.vpccni.netlink.Route;
import io.vpccni.netlink.Scope;
import io.vpccni.netlink.VethSpec;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exclusive-ENI mode: the whole ENI is moved into the pod's namespace and renamed to the requested
 * interface name; it keeps its primary IP with the subnet's prefix and routes by default via the
 * subnet gateway, so the VPC delivers to the pod directly. A second, small veth pair joins the pod
 * to the node for node-local traffic (kubelet probes, node services): the pod routes the node's
 * address over it and the node routes the pod's address back. DEL moves the ENI back into the node
 * namespace under its original name.
 */
public final class ExclusiveEniDatapath implements Datapath {
  private static final Logger logger = LoggerFactory.getLogger(ExclusiveEniDatapath.class);
  private static final IpPrefix DEFAULT_V4 = IpPrefix.parse("0.0.0.0/0");

  private final NodeNetwork node;
  private final int defaultMtu;

  public ExclusiveEniDatapath(NodeNetwork node, int defaultMtu) {
    this.node = node;
    this.defaultMtu = defaultMtu;
  }

  /** Pod-side name of the node-local veth. */
  static String podVethName(String ifName) {
    String n = "vn-" + ifName;
    return n.length() <= 15 ? n : n.substring(0, 15);
  }

  @Override
  public Allocation prepare(Allocation alloc, EniSpec eni) throws DatapathException {
    Link l =
        node.eniLink(eni)
            .orElseThrow(
                () ->
                    new DatapathException(
                        DatapathException.SETUP_FAILED,
                        "ENI " + eni.id() + " (" + eni.mac() + ") is not in the node namespace"));
    return alloc.withEniIf(l.name());
  }

  @Override
  public Setup setup(PodRequest req, Allocation alloc, EniSpec eni, Steps steps)
      throws DatapathException {
    if (req.bandwidth().isPresent()) {
      throw new DatapathException(
          DatapathException.UNSUPPORTED,
          "bandwidth limits (runtimeConfig.bandwidth) are applied in shared mode only; an"
              + " exclusive ENI's traffic does not cross the node");
    }
    Netlink host = node.netlink();
    IpPrefix eniIp = new IpPrefix(eni.primaryIp(), eni.subnet().length());
    IpPrefix podHost = eni.primaryIp().toHostPrefix();
    IpAddress nodeIp =
        node.nodeIp()
            .orElseThrow(
                () ->
                    new DatapathException(
                        DatapathException.SETUP_FAILED,
                        "cannot find the node's own address (no default route in the node namespace)"));
    try (Netns podNs = Netns.open(req.netns());
        Netlink pod = Netlink.in(podNs)) {
      if (pod.linkByName(req.ifName()).isPresent()) {
        throw new DatapathException(
            DatapathException.SETUP_FAILED,
            "interface " + req.ifName() + " already exists in " + req.netns());
      }
      Link eniLink =
          node.eniLink(eni)
              .orElseThrow(
                  () ->
                      new DatapathException(
                          DatapathException.SETUP_FAILED,
                          "ENI " + eni.id() + " (" + eni.mac() + ") is not in the node namespace"));
      int mtu = req.mtu() > 0 ? req.mtu() : defaultMtu > 0 ? defaultMtu : eniLink.mtu();
      host.linkSetDown(eniLink.index());
      host.linkSetNetns(eniLink.index(), podNs);
      steps.reached("eni-moved");

      Link inPod =
          pod.linkByMac(eni.mac())
              .orElseThrow(
                  () ->
                      new DatapathException(
                          DatapathException.SETUP_FAILED,
                          "ENI " + eni.id() + " vanished while moving into the pod"));
      pod.linkSetName(inPod.index(), req.ifName());
      if (inPod.mtu() != mtu) {
        pod.linkSetMtu(inPod.index(), mtu);
      }
      pod.addrAdd(new Addr(inPod.index(), eniIp));
      pod.linkSetUp(inPod.index());
      pod.routeAdd(Route.to(DEFAULT_V4).via(eni.gateway()).dev(inPod.index()));
      steps.reached("pod-configured");

      String hostName = alloc.hostIf();
      String podVeth = podVethName(req.ifName());
      host.linkByName(hostName).ifPresent(l -> host.linkDel(l.index()));
      Link hostVeth = host.vethAdd(new VethSpec(hostName, podVeth, podNs, 0));
      Link podSide = pod.link(podVeth);
      pod.linkSetUp(podSide.index());
      pod.routeAdd(
          Route.to(nodeIp.toHostPrefix())
              .dev(podSide.index())
              .scope(Scope.LINK)
              .src(eni.primaryIp()));
      host.linkSetUp(hostVeth.index());
      host.routeReplace(Route.to(podHost).dev(hostVeth.index()).scope(Scope.LINK));
      steps.reached("host-route");

      Link eniNow = pod.link(req.ifName());
      return new Setup(Results.exclusive(hostVeth, eniNow, req, eniIp, eni.gateway(), mtu), alloc);
    } catch (NetnsGoneException e) {
      throw new DatapathException(
          DatapathException.SETUP_FAILED, "pod network namespace " + req.netns() + " is gone", e);
    } catch (NetlinkException e) {
      throw new DatapathException(DatapathException.SETUP_FAILED, e.getMessage(), e);
    }
  }

  @Override
  public void teardown(Allocation alloc, EniSpec eni) {
    Netlink host = node.netlink();
    String hostName =
        alloc.hostIf().isEmpty()
            ? Names.nodeVeth(alloc.containerId(), alloc.ifName())
            : alloc.hostIf();
    quietly(() -> host.linkByName(hostName).ifPresent(l -> host.linkDel(l.index())));
    quietly(() -> host.routeDel(Route.to(alloc.ip().toHostPrefix()).table(Route.TABLE_MAIN)));
    if (eni == null) {
      logger.warn("ENI of {} is no longer listed; cannot move it back", alloc.ip());
      return;
    }
    String name = alloc.eniIf().isEmpty() ? "eni" + eni.deviceIndex() : alloc.eniIf();
    if (!alloc.netns().isEmpty()) {
      try (Netns podNs = Netns.open(Path.of(alloc.netns()));
          Netlink pod = Netlink.in(podNs)) {
        Optional<Link> inPod = pod.linkByMac(eni.mac());
        if (inPod.isPresent()) {
          int idx = inPod.get().index();
          pod.linkSetDown(idx);
          for (Addr a : pod.addrList(idx, 0)) {
            quietly(() -> pod.addrDel(a));
          }
          // Rename inside the pod first: the pod's name (eth0) may exist in the node namespace.
          pod.linkSetName(idx, name);
          pod.linkSetNetns(idx, node.netns());
        }
      } catch (NetnsGoneException e) {
        // The namespace is gone; a physical ENI returns to the initial namespace by itself.
      } catch (NetlinkException e) {
        logger.warn("moving ENI {} back from the pod failed: {}", eni.id(), e.getMessage());
      }
    }
    Optional<Link> back = node.eniLink(eni);
    if (back.isEmpty()) {
      logger.warn(
          "ENI {} ({}) is not back in the node namespace after teardown", eni.id(), eni.mac());
      return;
    }
    if (!back.get().name().equals(name)) {
      quietly(() -> host.linkSetName(back.get().index(), name));
    }
  }

  @Override
  public void check(Allocation alloc, EniSpec eni) throws DatapathException {
    Netlink host = node.netlink();
    Link hostVeth =
        host.linkByName(alloc.hostIf())
            .orElseThrow(() -> failed("node-local interface " + alloc.hostIf() + " is missing"));
    IpPrefix podHost = alloc.ip().toHostPrefix();
    if (host.routeList(Route.TABLE_MAIN, 2).stream()
        .noneMatch(r -> r.dst().equals(podHost) && r.linkIndex() == hostVeth.index())) {
      throw failed(
          "route " + podHost.address() + " dev " + alloc.hostIf() + " is missing on the node");
    }
    try (Netns podNs = Netns.open(Path.of(alloc.netns()));
        Netlink pod = Netlink.in(podNs)) {
      Link l =
          pod.linkByName(alloc.ifName())
              .orElseThrow(() -> failed("interface " + alloc.ifName() + " is missing in the pod"));
      if (eni == null || !eni.mac().equals(l.mac())) {
        throw failed("interface " + alloc.ifName() + " in the pod is not the ENI");
      }
      if (pod.addrList(l.index(), 2).stream()
          .noneMatch(a -> a.prefix().address().equals(alloc.ip()))) {
        throw failed("address " + alloc.ip() + " is missing on " + alloc.ifName() + " in the pod");
      }
      if (pod.routeList(Route.TABLE_MAIN, 2).stream()
          .noneMatch(r -> r.isDefault() && r.linkIndex() == l.index())) {
        throw failed("default route via " + eni.gateway() + " is missing in the pod");
      }
    } catch (NetnsGoneException e) {
      throw failed("pod network namespace " + alloc.netns() + " is gone");
    }
  }

  @Override
  public JsonObject result(Allocation alloc, EniSpec eni) throws DatapathException {
    Link hostVeth =
        node.netlink()
            .linkByName(alloc.hostIf())
            .orElseThrow(() -> failed("node-local interface " + alloc.hostIf() + " is missing"));
    try (Netns podNs = Netns.open(Path.of(alloc.netns()));
        Netlink pod = Netlink.in(podNs)) {
      Link l =
          pod.linkByName(alloc.ifName())
              .orElseThrow(() -> failed("interface " + alloc.ifName() + " is missing in the pod"));
      PodRequest req =
          new PodRequest(
              alloc.containerId(), alloc.ifName(), Path.of(alloc.netns()), l.mtu(), alloc.podRef());
      return Results.exclusive(
          hostVeth,
          l,
          req,
          new IpPrefix(eni.primaryIp(), eni.subnet().length()),
          eni.gateway(),
          l.mtu());
    } catch (NetnsGoneException e) {
      throw failed("pod network namespace " + alloc.netns() + " is gone");
    }
  }

  private static DatapathException failed(String msg) {
    return new DatapathException(DatapathException.CHECK_FAILED, msg);
  }
}
