package io.vpccni.controller.pools;

import io.vpccni.crd.NodeEniSpec;
import io.vpccni.netaddr.IpAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/** A stateful stand-in cloud for the pool loop's tests; counts calls. */
final class FakeNodeOperations implements NodeOperations {
  final Map<String, Instance> instances = new LinkedHashMap<>();
  final Map<String, Map<String, NodeEniSpec.Eni>> enis = new LinkedHashMap<>();
  final AtomicInteger calls = new AtomicInteger();
  final AtomicInteger lists = new AtomicInteger();

  /** Thrown (once) by the next assign, if set. */
  volatile RuntimeException failNextAssign;

  /** If set, every create-and-attach waits here (outside the lock) before it acts. */
  volatile java.util.concurrent.CountDownLatch createGate;

  final AtomicInteger createsInFlight = new AtomicInteger();
  final AtomicInteger maxCreatesInFlight = new AtomicInteger();
  private int nextHost = 20;

  /** Free-address counts by subnet id, for {@link #subnet}; counts its calls. */
  final Map<String, Long> subnetFree = new java.util.concurrent.ConcurrentHashMap<>();

  final AtomicInteger subnetCalls = new AtomicInteger();

  @Override
  public Optional<NodeEniSpec.Subnet> subnet(String subnetId) {
    subnetCalls.incrementAndGet();
    Long free = subnetFree.get(subnetId);
    if (free == null) {
      return Optional.empty();
    }
    NodeEniSpec.Subnet s = new NodeEniSpec.Subnet();
    s.id = subnetId;
    s.cidr = "10.0.0.0/16";
    s.freeIps = free;
    return Optional.of(s);
  }

  @Override
  public synchronized Optional<Instance> instance(String node) {
    return Optional.ofNullable(instances.get(node));
  }

  @Override
  public synchronized List<NodeEniSpec.Eni> enis(String node) {
    lists.incrementAndGet();
    List<NodeEniSpec.Eni> out = new ArrayList<>();
    for (NodeEniSpec.Eni e : enis.getOrDefault(node, Map.of()).values()) {
      out.add(copy(e));
    }
    return out;
  }

  @Override
  public synchronized List<IpAddress> assignIps(String node, String eniId, int count) {
    calls.incrementAndGet();
    RuntimeException fail = failNextAssign;
    if (fail != null) {
      failNextAssign = null;
      throw fail;
    }
    NodeEniSpec.Eni e = enis.get(node).get(eniId);
    List<IpAddress> got = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String ip = base(e) + (nextHost++);
      e.ips.add(ip);
      got.add(IpAddress.parse(ip));
    }
    return got;
  }

  @Override
  public NodeEniSpec.Eni createAndAttachEni(String node, int deviceIndex, int ips) {
    int now = createsInFlight.incrementAndGet();
    maxCreatesInFlight.accumulateAndGet(now, Math::max);
    try {
      var gate = createGate;
      if (gate != null) {
        gate.countDown();
        gate.await(5, java.util.concurrent.TimeUnit.SECONDS);
      }
      return createLocked(node, deviceIndex, ips);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } finally {
      createsInFlight.decrementAndGet();
    }
  }

  private synchronized NodeEniSpec.Eni createLocked(String node, int deviceIndex, int ips) {
    calls.incrementAndGet();
    NodeEniSpec.Eni e = new NodeEniSpec.Eni();
    e.id = node + "-eni-" + deviceIndex;
    e.mac = String.format("02:fa:00:00:%02x:01", deviceIndex);
    e.deviceIndex = deviceIndex;
    e.subnetCidr = "10.0." + deviceIndex + ".0/24";
    e.gateway = "10.0." + deviceIndex + ".1";
    e.primaryIp = "10.0." + deviceIndex + ".10";
    e.state = "Attached";
    enis.computeIfAbsent(node, k -> new LinkedHashMap<>()).put(e.id, e);
    for (int i = 0; i < ips; i++) {
      e.ips.add(base(e) + (nextHost++));
    }
    return copy(e);
  }

  @Override
  public synchronized void unassignIps(String node, String eniId, List<IpAddress> ips) {
    calls.incrementAndGet();
    enis.get(node).get(eniId).ips.removeAll(ips.stream().map(IpAddress::toString).toList());
  }

  @Override
  public synchronized void deleteEni(String node, String eniId) {
    calls.incrementAndGet();
    enis.get(node).remove(eniId);
  }

  synchronized int ipCount(String node) {
    return enis.getOrDefault(node, Map.of()).values().stream().mapToInt(e -> e.ips.size()).sum();
  }

  private static String base(NodeEniSpec.Eni e) {
    return e.subnetCidr.substring(0, e.subnetCidr.lastIndexOf('.') + 1);
  }

  private static NodeEniSpec.Eni copy(NodeEniSpec.Eni e) {
    NodeEniSpec.Eni c = new NodeEniSpec.Eni();
    c.id = e.id;
    c.mac = e.mac;
    c.deviceIndex = e.deviceIndex;
    c.subnetId = e.subnetId;
    c.subnetCidr = e.subnetCidr;
    c.gateway = e.gateway;
    c.primaryIp = e.primaryIp;
    c.ips = new ArrayList<>(e.ips);
    c.securityGroups = new ArrayList<>(e.securityGroups);
    c.state = e.state;
    c.pool = e.pool;
    return c;
  }
}
