package io.vpccni.agent.snat;

import io.vpccni.agent.config.SnatConfig;
import io.vpccni.agent.datapath.Names;
import io.vpccni.agent.datapath.NodeNetwork;
import io.vpccni.agent.policy.RuleApplier;
import io.vpccni.netaddr.IpAddress;
import io.vpccni.netaddr.IpPrefix;
import io.vpccni.netlink.ExistsException;
import io.vpccni.netlink.Link;
import io.vpccni.netlink.NetlinkException;
import io.vpccni.netlink.Route;
import io.vpccni.netlink.Rule;
import io.vpccni.netlink.Sysctl;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps table {@code ip vpccni_nat} ({@link SnatRenderer}) in force in shared (veth) mode: the
 * return path of connections that came in through the primary interface (NodePort), the route of
 * pod connections kube-proxy masquerades, and, with {@code snat.enabled}, SNAT of pod traffic
 * leaving the VPC. Beside the table: the rule {@code fwmark M/M lookup main} at priority {@value
 * #RULE_PRIORITY}, and {@code src_valid_mark} on the primary interface. {@link #sync()} recomputes
 * from the config, the node's primary interface and address and the ENI subnets, and replaces the
 * table only when the script differs from the one in force. Run at start, after every NodeENI
 * change and every {@link #start period}, so a new primary address is picked up.
 */
public final class SnatManager implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(SnatManager.class);

  /**
   * Before the pods' {@code from <pod> lookup <ENI table>} (1536), after {@code to <pod>} (512).
   */
  public static final int RULE_PRIORITY = 1024;

  private final SnatConfig config;
  private final NodeNetwork node;
  private final RuleApplier nft;
  private final Supplier<List<IpPrefix>> eniSubnets;
  private ScheduledExecutorService timer;
  private String inForce;
  private String lastProblem;

  public SnatManager(
      SnatConfig config, NodeNetwork node, RuleApplier nft, Supplier<List<IpPrefix>> eniSubnets) {
    this.config = config;
    this.node = node;
    this.nft = nft;
    this.eniSubnets = eniSubnets;
  }

  /** Brings the node's rules in line with the config and the node; false if it could not. */
  public synchronized boolean sync() {
    try {
      Optional<Primary> primary = primary();
      if (primary.isEmpty()) {
        problem("the node has no IPv4 default route with an address: rules left as they are");
        return false;
      }
      Primary p = primary.get();
      List<IpPrefix> never = new ArrayList<>(config.neverSnat());
      never.addAll(eniSubnets.get());
      String script =
          SnatRenderer.render(
              Names.VETH_PREFIX,
              p.link().name(),
              p.ip(),
              config.enabled(),
              never,
              config.mark(),
              config.kubeProxyMasqueradeMark());
      Sysctl.set(node.netns(), "net.ipv4.conf", p.link().name(), "src_valid_mark", "1");
      try {
        node.netlink().ruleAdd(rule());
      } catch (ExistsException e) {
        // in force from an earlier sync or agent
      }
      for (Rule r : node.netlink().ruleList(2)) {
        if (r.priority() == RULE_PRIORITY && r.fwmark() != 0 && !r.equals(rule())) {
          node.netlink().ruleDel(r); // an earlier agent's, with another snat.mark
          logger.info("removed rule {} of an earlier snat.mark", r);
        }
      }
      if (!script.equals(inForce)) {
        nft.apply(script);
        inForce = script;
        if (config.enabled()) {
          logger.info(
              "SNAT in force: pod traffic leaving the VPC gets source {} via {}; never SNATed: {}",
              p.ip(),
              p.link().name(),
              SnatRenderer.collapse(never));
        } else {
          logger.info(
              "NAT table in force: replies to connections that came in through {} leave through it; SNAT off",
              p.link().name());
        }
      }
      lastProblem = null;
      return true;
    } catch (IOException
        | java.io.UncheckedIOException
        | NetlinkException
        | IllegalArgumentException e) {
      problem(e.getMessage());
      return false;
    }
  }

  /** Logs a problem once, not at every period while it lasts. */
  private void problem(String message) {
    if (!java.util.Objects.equals(message, lastProblem)) {
      logger.error("NAT table not applied: {}", message);
      lastProblem = message;
    }
  }

  /** Runs {@link #sync()} now and then every {@code period} on a daemon thread. */
  public synchronized void start(Duration period) {
    sync();
    timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("snat-sync").daemon(true).unstarted(r));
    timer.scheduleWithFixedDelay(
        this::sync, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
  }

  Rule rule() {
    return Rule.fwmark(config.mark(), config.mark(), RULE_PRIORITY, Route.TABLE_MAIN);
  }

  private record Primary(Link link, IpAddress ip) {}

  /** The interface of the main table's IPv4 default route and its first IPv4 address. */
  private Optional<Primary> primary() {
    var nl = node.netlink();
    return nl.routeList(Route.TABLE_MAIN, 2).stream()
        .filter(Route::isDefault)
        .findFirst()
        .flatMap(
            r ->
                nl.linkByIndex(r.linkIndex())
                    .flatMap(
                        l ->
                            nl.addrList(l.index(), 2).stream()
                                .map(a -> new Primary(l, a.prefix().address()))
                                .findFirst()));
  }

  /**
   * Stops the periodic sync. The rules stay in the kernel: the next agent replaces them in one
   * transaction, so a restart never leaves pods without SNAT.
   */
  @Override
  public synchronized void close() {
    if (timer != null) {
      timer.shutdownNow();
    }
  }
}
