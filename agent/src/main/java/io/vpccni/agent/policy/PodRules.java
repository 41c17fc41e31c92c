package io.vpccni.agent.policy;

import io.vpccni.netaddr.IpAddress;
import io.vpccni.netaddr.IpPrefix;
import java.util.List;
import java.util.Set;

/**
 * What one pod on this node allows, in each direction: the compiled form of every policy that
 * selects it. A direction that no policy isolates allows everything.
 */
public record PodRules(PolicyPod pod, Direction ingress, Direction egress) {

  /**
   * @param isolated some policy selects the pod for this direction: only {@code allows} pass
   * @param policies the policies that isolate it, "namespace/name", for logs and comments
   */
  public record Direction(boolean isolated, List<Allow> allows, List<String> policies) {
    public Direction {
      allows = List.copyOf(allows);
      policies = List.copyOf(policies);
    }

    static final Direction OPEN = new Direction(false, List.of(), List.of());

    /** Whether a new connection with this peer, protocol and destination port is allowed. */
    public boolean allows(IpAddress peer, Protocol protocol, int port) {
      return !isolated || allows.stream().anyMatch(a -> a.matches(peer, protocol, port));
    }
  }

  /** Traffic from or to {@code peers} on {@code ports} (every port and protocol when empty). */
  public record Allow(Peers peers, List<PortRange> ports) {
    public Allow {
      ports = List.copyOf(ports);
    }

    boolean matches(IpAddress peer, Protocol protocol, int port) {
      return peers.contains(peer)
          && (ports.isEmpty() || ports.stream().anyMatch(p -> p.matches(protocol, port)));
    }
  }

  /**
   * The other side: anyone, or these pod addresses and address blocks (each minus its exceptions).
   */
  public record Peers(boolean any, Set<IpAddress> pods, List<Block> blocks) {
    public Peers {
      pods = Set.copyOf(pods);
      blocks = List.copyOf(blocks);
    }

    static final Peers ANY = new Peers(true, Set.of(), List.of());

    boolean contains(IpAddress ip) {
      return any || pods.contains(ip) || blocks.stream().anyMatch(b -> b.contains(ip));
    }

    boolean isEmpty() {
      return !any && pods.isEmpty() && blocks.isEmpty();
    }
  }

  /** An ipBlock: {@code cidr} minus {@code except}. */
  public record Block(IpPrefix cidr, List<IpPrefix> except) {
    public Block {
      except = List.copyOf(except);
    }

    boolean contains(IpAddress ip) {
      return cidr.contains(ip) && except.stream().noneMatch(e -> e.contains(ip));
    }
  }

  /** A protocol and an inclusive port range; 1-65535 is every port of the protocol. */
  public record PortRange(Protocol protocol, int from, int to) {
    public static PortRange all(Protocol p) {
      return new PortRange(p, 1, 65535);
    }

    boolean matches(Protocol p, int port) {
      return protocol == p && port >= from && port <= to;
    }

    boolean isAll() {
      return from <= 1 && to >= 65535;
    }
  }
}
