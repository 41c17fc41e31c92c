package io.vpccni.cloud.testkit;

import static io.vpccni.cloud.CloudException.Reason.CONFLICT;
import static io.vpccni.cloud.CloudException.Reason.INSUFFICIENT_ADDRESSES;
import static io.vpccni.cloud.CloudException.Reason.INVALID_REQUEST;
import static io.vpccni.cloud.CloudException.Reason.NOT_FOUND;
import static io.vpccni.cloud.CloudException.Reason.QUOTA_EXCEEDED;

import io.vpccni.cloud.Attachment;
import io.vpccni.cloud.CloudException;
import io.vpccni.cloud.CloudException.Reason;
import io.vpccni.cloud.CloudOperation;
import io.vpccni.cloud.Eni;
import io.vpccni.cloud.EniCreateRequest;
import io.vpccni.cloud.EniFilter;
import io.vpccni.cloud.EniStatus;
import io.vpccni.cloud.Instance;
import io.vpccni.cloud.IpAssignment;
import io.vpccni.cloud.Subnet;
import io.vpccni.cloud.VpcApi;
import io.vpccni.cloud.retry.Sleeper;
import io.vpccni.cloud.retry.Ticker;
import io.vpccni.netaddr.IpAddress;
import io.vpccni.netaddr.IpPrefix;
import io.vpccni.netaddr.MacAddress;
import java.time.Clock;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * A stateful in-process cloud for tests (STYLE rule 5), with the rules a real VPC enforces:
 *
 * <ul>
 *   <li>instance types with ENI and per-ENI IP quotas ({@link InstanceType}); attaching beyond the
 *       ENI quota, or holding more secondary IPs than the type allows, is {@code QUOTA_EXCEEDED};
 *       an unattached ENI holds at most {@value #MAX_IPS_UNATTACHED};
 *   <li>IPv4 subnets that reserve, as AWS does, the network address, the next three and the
 *       broadcast address, and hand out the lowest free address; asking for more than is free is
 *       {@code INSUFFICIENT_ADDRESSES}; all or nothing;
 *   <li>an ENI is attached to one instance at a time, at a device index unique on that instance, in
 *       the instance's zone; deleting an attached ENI is {@code CONFLICT}; the primary ENI (device
 *       0) cannot be detached;
 *   <li>deterministic ids ({@code eni-00000001}) and locally administered MACs ({@code
 *       02:fa:ce:…}).
 * </ul>
 *
 * <p>Faults come from {@link #faults()}. Every call is counted per {@link CloudOperation}, failed
 * ones included, as the cloud would bill them. Thread-safe: calls serialise on one lock, except for
 * injected latency, which is slept before taking it.
 *
 * <p>Over 400 lines because the rules above are one state machine; the fault and type parts live in
 * {@link FakeFaults} and {@link InstanceType}.
 */
public final class FakeVpcApi implements VpcApi {

  /** Secondary IPs an ENI may hold while no instance type limits it. */
  public static final int MAX_IPS_UNATTACHED = 49;

  private static final int RESERVED_AT_START = 4;

  private final Object lock = new Object();
  private final Ticker ticker;
  private final InstantSource clock;
  private final FakeFaults faults;
  private final Map<CloudOperation, LongAdder> calls = new EnumMap<>(CloudOperation.class);
  private final Map<String, SubnetState> subnets = new LinkedHashMap<>();
  private final Map<String, InstanceState> instances = new LinkedHashMap<>();
  private final Map<String, EniState> enis = new LinkedHashMap<>();
  private final Map<IpAddress, String> ipOwners = new HashMap<>();
  private long nextEni = 1;

  private static final class SubnetState {
    final String id;
    final IpPrefix cidr;
    final String zone;
    final int first;
    final int last;
    int used;

    SubnetState(String id, IpPrefix cidr, String zone) {
      this.id = id;
      this.cidr = cidr.network();
      this.zone = zone;
      int base = this.cidr.address().toV4Int();
      int size = (int) this.cidr.size();
      this.first = base + RESERVED_AT_START;
      this.last = base + size - 2;
    }

    long usable() {
      return Math.max(0, (long) last - first + 1);
    }

    boolean usable(IpAddress ip) {
      int v = ip.toV4Int();
      return ip.isV4() && cidr.contains(ip) && v >= first && v <= last;
    }

    Subnet toSubnet() {
      return new Subnet(id, cidr, zone, usable() - used);
    }
  }

  private record InstanceState(
      String id,
      InstanceType type,
      String zone,
      String subnetId,
      List<String> securityGroups,
      String primaryEniId,
      Map<Integer, String> devices) {}

  private static final class EniState {
    String id;
    MacAddress mac;
    String subnetId;
    IpAddress primaryIp;
    final List<IpAddress> secondaries = new ArrayList<>();
    List<String> securityGroups;
    String description;
    Map<String, String> tags;
    java.time.Instant createdAt;
    Attachment attachment;
    long visibleAtNanos;
    long attachedAtNanos;

    Eni toEni(long now) {
      return new Eni(
          id,
          mac,
          subnetId,
          primaryIp,
          secondaries,
          securityGroups,
          description,
          attachment == null
              ? EniStatus.AVAILABLE
              : now - attachedAtNanos < 0 ? EniStatus.ATTACHING : EniStatus.IN_USE,
          Optional.ofNullable(attachment),
          tags,
          createdAt);
    }
  }

  /** A fake on the system clock, sleeping for real when latency is injected, random seed 1. */
  public FakeVpcApi() {
    this(Ticker.system(), Sleeper.system(), Clock.systemUTC(), 1);
  }

  /**
   * @param ticker measures eventual consistency and throttling
   * @param sleeper waits injected latency
   * @param clock stamps ENI creation times
   * @param seed seeds the fault probabilities
   */
  public FakeVpcApi(Ticker ticker, Sleeper sleeper, InstantSource clock, long seed) {
    this.ticker = ticker;
    this.clock = clock;
    this.faults = new FakeFaults(ticker, sleeper, new Random(seed));
    for (CloudOperation op : CloudOperation.values()) {
      calls.put(op, new LongAdder());
    }
  }

  // ---- test setup and inspection (not part of VpcApi; never counted, never faulted) ----

  /** Adds an IPv4 subnet. */
  public Subnet addSubnet(String id, String cidr, String zone) {
    IpPrefix prefix = IpPrefix.parse(cidr);
    if (!prefix.address().isV4() || prefix.length() < 16 || prefix.length() > 28) {
      throw new IllegalArgumentException(
          "fake subnet " + id + ": IPv4 from /16 to /28, as in AWS, not " + cidr);
    }
    synchronized (lock) {
      var s = new SubnetState(id, prefix, zone);
      if (subnets.putIfAbsent(id, s) != null) {
        throw new IllegalArgumentException("fake subnet " + id + " exists");
      }
      return s.toSubnet();
    }
  }

  /** Adds a running instance with its primary ENI (device 0) in {@code subnetId}. */
  public Instance addInstance(
      String id, InstanceType type, String subnetId, List<String> securityGroups) {
    synchronized (lock) {
      SubnetState subnet = subnets.get(subnetId);
      if (subnet == null || instances.containsKey(id)) {
        throw new IllegalArgumentException("fake instance " + id + ": no subnet or exists");
      }
      EniState primary =
          newEni(
              "add instance " + id,
              new EniCreateRequest(subnetId, securityGroups, Map.of(), "primary of " + id));
      primary.visibleAtNanos = ticker.nanoTime();
      primary.attachment = new Attachment(id, 0);
      primary.attachedAtNanos = ticker.nanoTime();
      var devices = new TreeMap<Integer, String>();
      devices.put(0, primary.id);
      var inst =
          new InstanceState(
              id, type, subnet.zone, subnetId, List.copyOf(securityGroups), primary.id, devices);
      instances.put(id, inst);
      return toInstance(inst);
    }
  }

  /**
   * Terminates an instance as EC2 does: its primary ENI is deleted, the others are detached and
   * stay (for garbage collection to find).
   */
  public void terminateInstance(String id) {
    synchronized (lock) {
      InstanceState inst = instances.remove(id);
      if (inst == null) {
        throw new IllegalArgumentException("fake instance " + id + " does not exist");
      }
      for (String eniId : inst.devices.values()) {
        EniState e = enis.get(eniId);
        e.attachment = null;
        if (eniId.equals(inst.primaryEniId)) {
          release(e);
          enis.remove(eniId);
        }
      }
    }
  }

  /** The fault injection settings. */
  public FakeFaults faults() {
    return faults;
  }

  /** Calls of {@code op} so far, failed ones included. */
  public long calls(CloudOperation op) {
    return calls.get(op).sum();
  }

  /** Calls of every operation so far. */
  public long totalCalls() {
    return calls.values().stream().mapToLong(LongAdder::sum).sum();
  }

  /** Calls so far per operation, only those with at least one. */
  public Map<CloudOperation, Long> callCounts() {
    var m = new EnumMap<CloudOperation, Long>(CloudOperation.class);
    calls.forEach(
        (op, n) -> {
          if (n.sum() > 0) {
            m.put(op, n.sum());
          }
        });
    return m;
  }

  public void resetCallCounts() {
    calls.values().forEach(LongAdder::reset);
  }

  /** Every ENI, visible or not yet, in creation order: what the cloud really holds. */
  public List<Eni> allEnis() {
    synchronized (lock) {
      return enis.values().stream().map(e -> e.toEni(ticker.nanoTime())).toList();
    }
  }

  // ---- VpcApi ----

  @Override
  public Instance describeInstance(String instanceId) {
    return call(
        CloudOperation.DESCRIBE_INSTANCE, instanceId, a -> toInstance(instance(a, instanceId)));
  }

  @Override
  public Subnet describeSubnet(String subnetId) {
    return call(CloudOperation.DESCRIBE_SUBNET, subnetId, a -> subnet(a, subnetId).toSubnet());
  }

  @Override
  public Eni createEni(EniCreateRequest request) {
    return call(
        CloudOperation.CREATE_ENI,
        "in subnet " + request.subnetId(),
        a -> newEni(a, request).toEni(ticker.nanoTime()));
  }

  @Override
  public Eni describeEni(String eniId) {
    return call(
        CloudOperation.DESCRIBE_ENI,
        eniId,
        a -> {
          EniState e = eni(a, eniId);
          if (ticker.nanoTime() - e.visibleAtNanos < 0) {
            throw fail(NOT_FOUND, a, "ENI " + eniId + " does not exist");
          }
          return e.toEni(ticker.nanoTime());
        });
  }

  @Override
  public List<Eni> listEnis(EniFilter filter) {
    return call(
        CloudOperation.LIST_ENIS,
        "by " + filter,
        a -> {
          long now = ticker.nanoTime();
          return enis.values().stream()
              .filter(e -> now - e.visibleAtNanos >= 0)
              .map(e -> e.toEni(ticker.nanoTime()))
              .filter(filter::matches)
              .toList();
        });
  }

  @Override
  public Eni attachEni(String eniId, String instanceId, int deviceIndex) {
    return call(
        CloudOperation.ATTACH_ENI,
        eniId + " to instance " + instanceId,
        a -> {
          EniState e = eni(a, eniId);
          InstanceState inst = instance(a, instanceId);
          if (e.attachment != null) {
            if (e.attachment.equals(new Attachment(instanceId, deviceIndex))) {
              return e.toEni(ticker.nanoTime());
            }
            throw fail(CONFLICT, a, "it is attached to " + e.attachment);
          }
          if (deviceIndex < 1) {
            throw fail(INVALID_REQUEST, a, "device index must be >= 1, not " + deviceIndex);
          }
          if (inst.devices.size() >= inst.type.eniQuota()) {
            throw fail(
                QUOTA_EXCEEDED,
                a,
                inst.type.name() + " allows " + inst.type.eniQuota() + " ENIs and has them all");
          }
          String holder = inst.devices.get(deviceIndex);
          if (holder != null) {
            throw fail(CONFLICT, a, "device index " + deviceIndex + " is in use by " + holder);
          }
          SubnetState subnet = subnets.get(e.subnetId);
          if (!subnet.zone.equals(inst.zone)) {
            throw fail(
                INVALID_REQUEST,
                a,
                "subnet "
                    + subnet.id
                    + " is in zone "
                    + subnet.zone
                    + ", instance in "
                    + inst.zone);
          }
          if (e.secondaries.size() > inst.type.ipsPerEni()) {
            throw fail(
                QUOTA_EXCEEDED,
                a,
                "it holds "
                    + e.secondaries.size()
                    + " secondary IPs; "
                    + inst.type.name()
                    + " allows "
                    + inst.type.ipsPerEni());
          }
          inst.devices.put(deviceIndex, eniId);
          e.attachment = new Attachment(instanceId, deviceIndex);
          e.attachedAtNanos = ticker.nanoTime() + faults.attachDelay().toNanos();
          return e.toEni(ticker.nanoTime());
        });
  }

  @Override
  public Eni detachEni(String eniId) {
    return call(
        CloudOperation.DETACH_ENI,
        eniId,
        a -> {
          EniState e = eni(a, eniId);
          if (e.attachment == null) {
            return e.toEni(ticker.nanoTime());
          }
          if (e.attachment.deviceIndex() == 0) {
            throw fail(INVALID_REQUEST, a, "it is the primary ENI of " + e.attachment.instanceId());
          }
          InstanceState inst = instances.get(e.attachment.instanceId());
          if (inst != null) {
            inst.devices.remove(e.attachment.deviceIndex());
          }
          e.attachment = null;
          return e.toEni(ticker.nanoTime());
        });
  }

  @Override
  public void deleteEni(String eniId) {
    call(
        CloudOperation.DELETE_ENI,
        eniId,
        a -> {
          EniState e = eni(a, eniId);
          if (e.attachment != null) {
            throw fail(CONFLICT, a, "it is attached to " + e.attachment);
          }
          release(e);
          enis.remove(eniId);
          return null;
        });
  }

  @Override
  public List<IpAddress> assignIps(String eniId, IpAssignment request) {
    return call(
        CloudOperation.ASSIGN_IPS,
        eniId,
        a -> {
          EniState e = eni(a, eniId);
          SubnetState subnet = subnets.get(e.subnetId);
          List<IpAddress> wanted = new ArrayList<>();
          if (request instanceof IpAssignment.Specific s) {
            for (IpAddress ip : s.addresses()) {
              String owner = ipOwners.get(ip);
              if (!subnet.usable(ip)) {
                throw fail(
                    INVALID_REQUEST,
                    a,
                    ip
                        + " is not an assignable address of subnet "
                        + subnet.id
                        + " "
                        + subnet.cidr);
              } else if (owner == null) {
                wanted.add(ip);
              } else if (!owner.equals(eniId)) {
                throw fail(CONFLICT, a, ip + " is assigned to " + owner);
              } else if (ip.equals(e.primaryIp)) {
                throw fail(INVALID_REQUEST, a, ip + " is the ENI's primary IP");
              }
            }
          }
          int adding = request instanceof IpAssignment.Count c ? c.n() : wanted.size();
          checkIpQuota(a, e, adding);
          if (request instanceof IpAssignment.Count c) {
            wanted = allocate(a, subnet, c.n());
          }
          for (IpAddress ip : wanted) {
            ipOwners.put(ip, eniId);
            e.secondaries.add(ip);
          }
          subnet.used += wanted.size();
          return request instanceof IpAssignment.Specific s ? s.addresses() : List.copyOf(wanted);
        });
  }

  @Override
  public void unassignIps(String eniId, Collection<IpAddress> ips) {
    call(
        CloudOperation.UNASSIGN_IPS,
        eniId,
        a -> {
          EniState e = eni(a, eniId);
          if (ips.contains(e.primaryIp)) {
            throw fail(INVALID_REQUEST, a, e.primaryIp + " is the ENI's primary IP");
          }
          for (IpAddress ip : ips) {
            if (e.secondaries.remove(ip)) {
              ipOwners.remove(ip);
              subnets.get(e.subnetId).used--;
            }
          }
          return null;
        });
  }

  // ---- internals; all called under the lock ----

  @FunctionalInterface
  private interface Body<T> {
    T run(String action);
  }

  private <T> T call(CloudOperation op, String object, Body<T> body) {
    calls.get(op).increment();
    String action = op.verbObject() + " " + object;
    faults.beforeCall(op, action);
    synchronized (lock) {
      return body.run(action);
    }
  }

  private EniState newEni(String action, EniCreateRequest r) {
    SubnetState subnet = subnet(action, r.subnetId());
    if (r.secondaryIpCount() > MAX_IPS_UNATTACHED) {
      throw fail(
          QUOTA_EXCEEDED,
          action,
          r.secondaryIpCount() + " secondary IPs asked; an ENI holds " + MAX_IPS_UNATTACHED);
    }
    if (r.tags().size() > 50) {
      throw fail(INVALID_REQUEST, action, r.tags().size() + " tags; at most 50");
    }
    List<IpAddress> ips = allocate(action, subnet, 1 + r.secondaryIpCount());
    var e = new EniState();
    long n = nextEni++;
    e.id = String.format("eni-%08x", n);
    e.mac =
        MacAddress.of(
            new byte[] {
              0x02, (byte) 0xfa, (byte) 0xce, (byte) (n >>> 16), (byte) (n >>> 8), (byte) n
            });
    e.subnetId = subnet.id;
    e.primaryIp = ips.getFirst();
    e.secondaries.addAll(ips.subList(1, ips.size()));
    e.securityGroups = r.securityGroups();
    e.description = r.description();
    e.tags = r.tags();
    e.createdAt = clock.instant();
    e.visibleAtNanos = ticker.nanoTime() + faults.visibilityDelay().toNanos();
    for (IpAddress ip : ips) {
      ipOwners.put(ip, e.id);
    }
    subnet.used += ips.size();
    enis.put(e.id, e);
    return e;
  }

  private void checkIpQuota(String action, EniState e, int adding) {
    InstanceState inst = e.attachment == null ? null : instances.get(e.attachment.instanceId());
    int limit = inst == null ? MAX_IPS_UNATTACHED : inst.type.ipsPerEni();
    if (e.secondaries.size() + adding > limit) {
      throw fail(
          QUOTA_EXCEEDED,
          action,
          "it holds "
              + e.secondaries.size()
              + " secondary IPs, "
              + adding
              + " more asked; "
              + (inst == null ? "an unattached ENI" : inst.type.name())
              + " allows "
              + limit);
    }
  }

  /** The {@code n} lowest free addresses of the subnet, not yet marked as used. */
  private List<IpAddress> allocate(String action, SubnetState s, int n) {
    if (s.usable() - s.used < n) {
      throw fail(
          INSUFFICIENT_ADDRESSES,
          action,
          "subnet " + s.id + " has " + (s.usable() - s.used) + " free addresses, " + n + " asked");
    }
    var out = new ArrayList<IpAddress>(n);
    for (int v = s.first; out.size() < n && v <= s.last; v++) {
      IpAddress ip = IpAddress.ofV4(v);
      if (!ipOwners.containsKey(ip)) {
        out.add(ip);
      }
    }
    return out;
  }

  private void release(EniState e) {
    SubnetState s = subnets.get(e.subnetId);
    ipOwners.remove(e.primaryIp);
    e.secondaries.forEach(ipOwners::remove);
    s.used -= 1 + e.secondaries.size();
  }

  private InstanceState instance(String action, String id) {
    InstanceState i = instances.get(id);
    if (i == null) {
      throw fail(NOT_FOUND, action, "instance " + id + " does not exist");
    }
    return i;
  }

  private SubnetState subnet(String action, String id) {
    SubnetState s = subnets.get(id);
    if (s == null) {
      throw fail(NOT_FOUND, action, "subnet " + id + " does not exist");
    }
    return s;
  }

  private EniState eni(String action, String id) {
    EniState e = enis.get(id);
    if (e == null) {
      throw fail(NOT_FOUND, action, "ENI " + id + " does not exist");
    }
    return e;
  }

  private Instance toInstance(InstanceState i) {
    return new Instance(
        i.id,
        i.type.name(),
        i.zone,
        i.type.eniQuota(),
        i.type.ipsPerEni(),
        i.primaryEniId,
        i.subnetId,
        i.securityGroups);
  }

  private static CloudException fail(Reason reason, String action, String detail) {
    return new CloudException(reason, action, detail);
  }
}
