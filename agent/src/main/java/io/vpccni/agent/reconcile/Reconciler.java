package io.vpccni.agent.reconcile;

import io.vpccni.agent.datapath.Datapath;
import io.vpccni.agent.datapath.DatapathException;
import io.vpccni.agent.datapath.Names;
import io.vpccni.agent.datapath.NodeNetwork;
import io.vpccni.agent.datapath.veth.SharedVethDatapath;
import io.vpccni.agent.pool.IpPool;
import io.vpccni.agent.store.Allocation;
import io.vpccni.netaddr.IpAddress;
import io.vpccni.netlink.Link;
import io.vpccni.netlink.Netns;
import io.vpccni.netlink.NetnsGoneException;
import io.vpccni.netlink.Rule;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Start-up reconcile: makes the store and the node agree before the first request is served.
 *
 * <ol>
 *   <li>A PENDING attachment is an ADD that a crash interrupted: whatever part of its datapath
 *       exists is removed and its IP goes to cooldown (the runtime saw the ADD fail and will retry
 *       it or call DEL, both of which work from a clean slate).
 *   <li>A READY attachment whose pod namespace is gone belongs to a pod that died while the agent
 *       was down: torn down and released.
 *   <li>Host interfaces with our derived names, and rules at our priorities, that no attachment
 *       owns are leftovers of a lost record: removed.
 * </ol>
 */
public final class Reconciler {
  private static final Logger logger = LoggerFactory.getLogger(Reconciler.class);

  private final IpPool pool;
  private final Datapath datapath;
  private final NodeNetwork node;

  public Reconciler(IpPool pool, Datapath datapath, NodeNetwork node) {
    this.pool = pool;
    this.datapath = datapath;
    this.node = node;
  }

  /** Runs once; returns how many attachments and stray objects it removed. */
  public int run() throws IOException {
    int removed = 0;
    for (Allocation a : pool.snapshot()) {
      MDC.put("containerId", a.containerId());
      MDC.put("ip", a.ip().toString());
      try {
        String why = null;
        if (a.state() == Allocation.State.PENDING) {
          why = "its ADD was interrupted";
        } else if (!netnsAlive(a.netns())) {
          why = "its pod network namespace " + a.netns() + " is gone";
        }
        if (why != null) {
          logger.info("reconcile: releasing {} of {} because {}", a.ip(), a.podRef(), why);
          datapath.teardown(a, pool.eniOf(a.ip()).orElse(null));
          pool.release(a.key(), true);
          removed++;
          continue;
        }
        try {
          datapath.check(a, pool.eniOf(a.ip()).orElse(null));
        } catch (DatapathException e) {
          logger.warn(
              "reconcile: attachment of {} is damaged: {} (CHECK will report it)",
              a.podRef(),
              e.getMessage());
        }
      } finally {
        MDC.remove("containerId");
        MDC.remove("ip");
      }
    }
    Set<String> ownedLinks = new HashSet<>();
    Set<IpAddress> ownedIps = new HashSet<>();
    for (Allocation a : pool.snapshot()) {
      ownedLinks.add(a.hostIf());
      ownedIps.add(a.ip());
    }
    for (Link l : node.netlink().linkList()) {
      if (Names.isOurs(l.name()) && !ownedLinks.contains(l.name())) {
        logger.info("reconcile: deleting stray interface {}", l.name());
        SharedVethDatapath.quietly(() -> node.netlink().linkDel(l.index()));
        removed++;
      }
    }
    for (Rule r : node.netlink().ruleList(2)) {
      boolean ours =
          r.priority() == SharedVethDatapath.RULE_FROM_PRIORITY
              || r.priority() == SharedVethDatapath.RULE_TO_PRIORITY;
      IpAddress ip =
          r.from() != null ? r.from().address() : r.to() != null ? r.to().address() : null;
      if (ours && ip != null && !ownedIps.contains(ip)) {
        logger.info("reconcile: deleting stray rule {}", r);
        SharedVethDatapath.quietly(() -> node.netlink().ruleDel(r));
        removed++;
      }
    }
    logger.info(
        "reconcile done: {} attachments kept, {} objects removed", pool.snapshot().size(), removed);
    return removed;
  }

  private static boolean netnsAlive(String path) {
    if (path.isEmpty()) {
      return false;
    }
    try (Netns ns = Netns.open(Path.of(path))) {
      return true;
    } catch (NetnsGoneException e) {
      return false;
    }
  }
}
