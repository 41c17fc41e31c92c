package io.vpccni.emulator.model;

import io.vpccni.netaddr.IpAddress;
import io.vpccni.netaddr.IpPrefix;
import io.vpccni.netaddr.MacAddress;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.function.LongSupplier;

/**
 * The emulated VPC: networks, subnets with IPAM, ports (ENIs) and instances with their quotas.
 *
 * <p>Every method is atomic under one lock except {@link #updatePort}, which on purpose behaves
 * like neutron-server: it reads the port, checks {@code If-Match} against that read, waits for the
 * configured update window, and then writes, so two concurrent updates of one port can both succeed
 * on the same revision and the last writer wins (see the class README and {@code
 * neutron-server.md}). Callers receive copies; nothing returned aliases the state.
 *
 * <p>Over 400 lines because it is the one place that keeps the model's invariants (an address is
 * owned by one port, an attached port names its instance, quotas hold); splitting it would spread
 * the lock.
 */
public final class Vpc {
  /** Port device_owner of ports attached through Compute, as Nova sets it. */
  public static final String COMPUTE_OWNER = "compute:nova";

  private static final String PROJECT = "fake_project_id";
  private static final int MAX_ADDRESS_PAIRS = 10;
  private static final int MAX_EVENTS = 10_000;

  private final Object lock = new Object();
  private final Map<String, Network> networks = new LinkedHashMap<>();
  private final Map<String, Subnet> subnets = new LinkedHashMap<>();
  private final Map<String, Ipam> ipams = new HashMap<>();
  private final Map<String, Port> ports = new LinkedHashMap<>();
  private final Map<String, Instance> instances = new LinkedHashMap<>();
  private final Deque<Event> events = new ArrayDeque<>();
  private final Random random;
  private final Clock clock;
  private long eventSeq;
  private volatile LongSupplier updateWindowMillis = () -> 0;
  private volatile LongSupplier portVisibilityDelayMillis = () -> 0;
  private volatile VpcListener listener = VpcListener.NONE;

  public Vpc(Clock clock, long seed) {
    this.clock = clock;
    this.random = new Random(seed);
  }

  public Vpc() {
    this(Clock.systemUTC(), System.nanoTime());
  }

  /**
   * How long {@link #updatePort} waits between reading the port and writing it: the window in which
   * a concurrent update of the same port is lost, as on a real neutron-server (≈150 ms per port
   * write there).
   */
  public void setUpdateWindow(LongSupplier millis) {
    this.updateWindowMillis = millis;
  }

  /** The one listener (the data plane) told of changes; replaces the previous one. */
  public void setListener(VpcListener listener) {
    this.listener = listener;
  }

  private void tell(String what, Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      event("dataplane.error", what, String.valueOf(e.getMessage()));
    }
  }

  /** How long a newly created port stays invisible to GET and list (eventual consistency). */
  public void setPortVisibilityDelay(LongSupplier millis) {
    this.portVisibilityDelayMillis = millis;
  }

  // ---- networks and subnets ----

  public Network createNetwork(String name, List<String> tags) {
    synchronized (lock) {
      Network n = new Network();
      n.id = UUID.randomUUID().toString();
      n.name = name == null ? "" : name;
      n.projectId = PROJECT;
      if (tags != null) {
        n.tags.addAll(tags);
      }
      n.createdAt = n.updatedAt = now();
      networks.put(n.id, n);
      event("network.created", n.id, n.name);
      return n.copy();
    }
  }

  public Optional<Network> network(String id) {
    synchronized (lock) {
      return Optional.ofNullable(networks.get(id)).map(Network::copy);
    }
  }

  public List<Network> networks() {
    synchronized (lock) {
      return networks.values().stream().map(Network::copy).toList();
    }
  }

  public void deleteNetwork(String id) {
    synchronized (lock) {
      Network n = requireNetwork(id);
      if (ports.values().stream().anyMatch(p -> p.networkId.equals(id))) {
        throw VpcException.conflict(
            "NetworkInUse",
            "Unable to complete operation on network "
                + id
                + ". There are one or more ports still in use on the network.");
      }
      for (String s : n.subnets) {
        subnets.remove(s);
        ipams.remove(s);
      }
      networks.remove(id);
      event("network.deleted", id, "");
    }
  }

  /**
   * Creates an IPv4 subnet. Without pools, the pool is the CIDR minus network, broadcast and
   * gateway addresses, as Neutron computes it.
   */
  public Subnet createSubnet(
      String networkId, String name, String cidr, String gatewayIp, List<Subnet.Pool> pools) {
    synchronized (lock) {
      Network n = requireNetwork(networkId);
      IpPrefix prefix;
      try {
        prefix = IpPrefix.parse(cidr).network();
      } catch (IllegalArgumentException e) {
        throw VpcException.badRequest(
            "Invalid input for cidr. Reason: '" + cidr + "' is not a valid IP subnet.");
      }
      if (!prefix.address().isV4() || prefix.length() > 30) {
        throw VpcException.badRequest(
            "Invalid input for cidr: the emulator serves IPv4 subnets of /30 or larger, not "
                + cidr);
      }
      int first = prefix.address().toV4Int();
      int last = first + (int) prefix.size() - 1;
      Subnet s = new Subnet();
      s.id = UUID.randomUUID().toString();
      s.name = name == null ? "" : name;
      s.networkId = networkId;
      s.projectId = PROJECT;
      s.cidr = prefix.toString();
      s.gatewayIp = gatewayIp != null ? gatewayIp : IpAddress.ofV4(first + 1).toString();
      if (pools == null || pools.isEmpty()) {
        int gw = s.gatewayIp.isEmpty() ? 0 : IpAddress.parse(s.gatewayIp).toV4Int();
        int start = first + 1;
        int end = last - 1;
        if (gw == start) {
          start++;
        } else if (gw == end) {
          end--;
        }
        s.allocationPools.add(
            new Subnet.Pool(IpAddress.ofV4(start).toString(), IpAddress.ofV4(end).toString()));
      } else {
        for (Subnet.Pool p : pools) {
          IpAddress a = IpAddress.parse(p.start());
          IpAddress b = IpAddress.parse(p.end());
          if (!prefix.contains(a) || !prefix.contains(b) || a.compareTo(b) > 0) {
            throw VpcException.badRequest(
                "The allocation pool "
                    + p.start()
                    + "-"
                    + p.end()
                    + " spans beyond the subnet cidr "
                    + s.cidr
                    + ".");
          }
          s.allocationPools.add(new Subnet.Pool(a.toString(), b.toString()));
        }
      }
      s.createdAt = s.updatedAt = now();
      subnets.put(s.id, s);
      ipams.put(s.id, new Ipam(s, random));
      n.subnets.add(s.id);
      n.revisionNumber++;
      event("subnet.created", s.id, s.cidr);
      Subnet copy = s.copy();
      tell(s.id, () -> listener.subnetCreated(copy));
      return s.copy();
    }
  }

  public Optional<Subnet> subnet(String id) {
    synchronized (lock) {
      return Optional.ofNullable(subnets.get(id)).map(Subnet::copy);
    }
  }

  public List<Subnet> subnets() {
    synchronized (lock) {
      return subnets.values().stream().map(Subnet::copy).toList();
    }
  }

  /** Total pool addresses and used addresses of a subnet (Neutron's network-ip-availability). */
  public long[] ipAvailability(String subnetId) {
    synchronized (lock) {
      Ipam ipam = ipams.get(subnetId);
      if (ipam == null) {
        throw VpcException.notFound(
            "SubnetNotFound", "Subnet " + subnetId + " could not be found.");
      }
      return new long[] {ipam.totalIps(), ipam.usedIps()};
    }
  }

  // ---- ports ----

  public Port createPort(PortSpec spec) {
    synchronized (lock) {
      if (spec.networkId() == null) {
        throw VpcException.badRequest(
            "Failed to parse request. Required attribute 'network_id' not specified");
      }
      Network n = requireNetwork(spec.networkId());
      Port p = new Port();
      p.id = UUID.randomUUID().toString();
      p.networkId = n.id;
      p.projectId = PROJECT;
      p.macAddress = spec.macAddress() != null ? claimMac(n.id, spec.macAddress()) : newMac();
      applyPlain(p, spec);
      List<FixedIpRequest> wanted = spec.fixedIps();
      if (wanted == null) {
        String first =
            n.subnets.stream()
                .findFirst()
                .orElseThrow(
                    () ->
                        VpcException.conflict(
                            "IpAddressGenerationFailure",
                            "No more IP addresses available on network " + n.id + "."));
        wanted = List.of(new FixedIpRequest(first, null));
      }
      p.fixedIps = resolveFixedIps(p, wanted, List.of());
      p.allowedAddressPairs = pairs(p, spec.allowedAddressPairs());
      if (spec.tags() != null) {
        p.tags.addAll(spec.tags());
      }
      p.createdAt = p.updatedAt = now();
      p.visibleAfter = clock.millis() + portVisibilityDelayMillis.getAsLong();
      ports.put(p.id, p);
      event("port.created", p.id, p.fixedIps.toString());
      return p.copy();
    }
  }

  /** The port as GET shows it: empty while it is not yet visible (eventual consistency). */
  public Optional<Port> visiblePort(String id) {
    synchronized (lock) {
      Port p = ports.get(id);
      return p == null || p.visibleAfter > clock.millis()
          ? Optional.empty()
          : Optional.of(p.copy());
    }
  }

  /** The port whatever its visibility: writes see it at once, as a cloud's control plane does. */
  public Optional<Port> port(String id) {
    synchronized (lock) {
      return Optional.ofNullable(ports.get(id)).map(Port::copy);
    }
  }

  /** Visible ports, in creation order. */
  public List<Port> visiblePorts() {
    synchronized (lock) {
      long now = clock.millis();
      return ports.values().stream().filter(p -> p.visibleAfter <= now).map(Port::copy).toList();
    }
  }

  /**
   * Updates a port the way neutron-server does, including its concurrency hazard: the port is read
   * and {@code ifMatchRevision} checked against that read; then, after the update window, the given
   * attributes are written and the revision becomes the read revision + 1. Two concurrent updates
   * that both read revision N both succeed, both answer N + 1, and the second write replaces the
   * first one's {@code fixed_ips}. New addresses are reserved before the window so that a taken or
   * exhausted address fails fast with 409.
   */
  public Port updatePort(String id, PortSpec spec, Long ifMatchRevision) {
    Port before;
    List<FixedIp> newIps = null;
    synchronized (lock) {
      before = requirePort(id).copy();
      if (ifMatchRevision != null && ifMatchRevision != before.revisionNumber) {
        throw new VpcException(
            412,
            "RevisionNumberConstraintFailed",
            "Constrained to "
                + ifMatchRevision
                + ", but current revision is "
                + before.revisionNumber);
      }
      if (spec.networkId() != null && !spec.networkId().equals(before.networkId)) {
        throw VpcException.badRequest("Cannot update read-only attribute network_id");
      }
      if (spec.macAddress() != null && !spec.macAddress().equalsIgnoreCase(before.macAddress)) {
        claimMac(before.networkId, spec.macAddress());
      }
      if (spec.allowedAddressPairs() != null) {
        pairs(before, spec.allowedAddressPairs());
      }
      if (spec.fixedIps() != null) {
        // validate everything else first: resolving reserves addresses
        checkIpQuota(before, spec.fixedIps().size());
        newIps = resolveFixedIps(before, spec.fixedIps(), before.fixedIps);
      }
    }
    sleep(updateWindowMillis.getAsLong());
    synchronized (lock) {
      Port current = ports.get(id);
      if (current == null) {
        if (newIps != null) {
          for (FixedIp ip : newIps) {
            ipams.get(ip.subnetId()).release(ip.ipAddress(), id);
          }
        }
        throw portNotFound(id);
      }
      applyPlain(current, spec);
      if (spec.macAddress() != null) {
        current.macAddress = spec.macAddress().toLowerCase();
      }
      if (newIps != null) {
        Set<FixedIp> keep = new HashSet<>(newIps);
        for (FixedIp old : current.fixedIps) {
          if (!keep.contains(old)) {
            ipams.get(old.subnetId()).release(old.ipAddress(), id);
          }
        }
        for (FixedIp ip : newIps) {
          ipams.get(ip.subnetId()).claim(ip.ipAddress(), id);
        }
        List<FixedIp> old = current.fixedIps;
        current.fixedIps = new ArrayList<>(newIps);
        Port copy = current.copy();
        tell(id, () -> listener.portAddressesChanged(copy, old));
      }
      if (spec.allowedAddressPairs() != null) {
        current.allowedAddressPairs = pairs(current, spec.allowedAddressPairs());
      }
      if (spec.tags() != null) {
        current.tags.clear();
        current.tags.addAll(spec.tags());
      }
      current.revisionNumber = before.revisionNumber + 1;
      current.updatedAt = now();
      event("port.updated", id, current.fixedIps.toString());
      return current.copy();
    }
  }

  public void deletePort(String id) {
    deletePort(id, null);
  }

  /** Deletes a port; {@code ifMatchRevision}, when given, must be its current revision (412). */
  public void deletePort(String id, Long ifMatchRevision) {
    synchronized (lock) {
      Port p = requirePort(id);
      if (ifMatchRevision != null && ifMatchRevision != p.revisionNumber) {
        throw new VpcException(
            412,
            "RevisionNumberConstraintFailed",
            "Constrained to " + ifMatchRevision + ", but current revision is " + p.revisionNumber);
      }
      for (FixedIp ip : p.fixedIps) {
        ipams.get(ip.subnetId()).release(ip.ipAddress(), id);
      }
      Instance owner = instances.get(p.deviceId);
      if (owner != null && owner.interfaces.values().remove(id)) {
        Instance ic = owner.copy();
        Port pc = p.copy();
        tell(id, () -> listener.portDetached(ic, pc));
      }
      ports.remove(id);
      event("port.deleted", id, "");
    }
  }

  // ---- tags (ports only) ----

  public void addTag(String portId, String tag) {
    synchronized (lock) {
      Port p = requirePort(portId);
      if (p.tags.add(validTag(tag))) {
        touch(p);
      }
    }
  }

  public List<String> replaceTags(String portId, List<String> tags) {
    synchronized (lock) {
      Port p = requirePort(portId);
      tags.forEach(Vpc::validTag);
      p.tags.clear();
      p.tags.addAll(tags);
      touch(p);
      return List.copyOf(p.tags);
    }
  }

  public void removeTag(String portId, String tag) {
    synchronized (lock) {
      Port p = requirePort(portId);
      if (!p.tags.remove(tag)) {
        throw VpcException.notFound(
            "TagNotFound", "Tag " + tag + " could not be found for port " + portId + ".");
      }
      touch(p);
    }
  }

  public void removeAllTags(String portId) {
    synchronized (lock) {
      Port p = requirePort(portId);
      p.tags.clear();
      touch(p);
    }
  }

  // ---- instances ----

  /**
   * Creates an instance with its primary ENI (device index 0) on the given subnet, bound to {@code
   * host} (defaults to the instance name).
   */
  public Instance createInstance(String name, String typeName, String subnetId, String host) {
    InstanceType type =
        InstanceType.byName(typeName)
            .orElseThrow(
                () ->
                    VpcException.badRequest(
                        "Unknown instance type "
                            + typeName
                            + "; known: "
                            + InstanceType.CATALOGUE.stream().map(InstanceType::name).toList()));
    if (name == null || !name.matches("[a-z0-9][a-z0-9-]{0,39}")) {
      throw VpcException.badRequest(
          "Invalid instance name '"
              + name
              + "': 1..40 of [a-z0-9-], starting with a letter or digit"
              + " (it names the node's namespace)");
    }
    synchronized (lock) {
      if (instances.values().stream().anyMatch(x -> x.name.equals(name))) {
        throw VpcException.conflict("InstanceNameInUse", "An instance named " + name + " exists.");
      }
      Subnet s = subnets.get(subnetId);
      if (s == null) {
        throw VpcException.notFound(
            "SubnetNotFound", "Subnet " + subnetId + " could not be found.");
      }
      Instance i = new Instance();
      i.id = UUID.randomUUID().toString();
      i.name = name;
      i.instanceType = type.name();
      i.host = host == null || host.isEmpty() ? name : host;
      i.createdAt = now();
      Port primary =
          createPort(
              new PortSpec(
                  s.networkId,
                  name + "-eth0",
                  "primary ENI of " + name,
                  null,
                  null,
                  i.id,
                  COMPUTE_OWNER,
                  i.host,
                  List.of(new FixedIpRequest(subnetId, null)),
                  null,
                  null,
                  null));
      Port stored = ports.get(primary.id);
      stored.status = "ACTIVE";
      stored.visibleAfter = 0;
      i.primaryPortId = primary.id;
      i.interfaces.put(0, primary.id);
      instances.put(i.id, i);
      event("instance.created", i.id, type.name());
      Instance ic = i.copy();
      Port pc = stored.copy();
      tell(i.id, () -> listener.instanceCreated(ic));
      tell(primary.id, () -> listener.portAttached(ic, 0, pc));
      return i.copy();
    }
  }

  public Optional<Instance> instance(String id) {
    synchronized (lock) {
      return Optional.ofNullable(instances.get(id)).map(Instance::copy);
    }
  }

  public List<Instance> instances() {
    synchronized (lock) {
      return instances.values().stream().map(Instance::copy).toList();
    }
  }

  /**
   * Attaches a port to an instance at the lowest free device index: sets device_id, device_owner
   * {@value #COMPUTE_OWNER} and binding:host_id, status ACTIVE. Refused with 409 when the port
   * belongs to another device and 403 when the instance type's ENI quota (or its IPs-per-ENI quota)
   * would be exceeded.
   */
  public int attach(String instanceId, String portId) {
    synchronized (lock) {
      Instance i = requireInstance(instanceId);
      Port p = requirePort(portId);
      if (!p.deviceId.isEmpty()) {
        if (p.deviceId.equals(instanceId)) {
          throw VpcException.conflict(
              "PortInUse",
              "Port " + portId + " is already attached to instance " + instanceId + ".");
        }
        throw VpcException.conflict("PortInUse", "Port " + portId + " is still in use.");
      }
      InstanceType type = InstanceType.byName(i.instanceType).orElseThrow();
      if (i.interfaces.size() >= type.maxEnis()) {
        throw new VpcException(
            403,
            "PortLimitExceeded",
            "Maximum number of ports exceeded: instance type "
                + type.name()
                + " takes "
                + type.maxEnis()
                + " network interfaces.");
      }
      if (p.fixedIps.size() > type.ipsPerEni()) {
        throw new VpcException(
            403,
            "PortLimitExceeded",
            "Port "
                + portId
                + " has "
                + p.fixedIps.size()
                + " addresses; instance type "
                + type.name()
                + " takes "
                + type.ipsPerEni()
                + " per network interface.");
      }
      int index = 0;
      while (i.interfaces.containsKey(index)) {
        index++;
      }
      i.interfaces.put(index, portId);
      p.deviceId = instanceId;
      p.deviceOwner = COMPUTE_OWNER;
      p.hostId = i.host;
      p.status = "ACTIVE";
      touch(p);
      event("port.attached", portId, instanceId + " device " + index);
      Instance ic = i.copy();
      Port pc = p.copy();
      int at = index;
      tell(portId, () -> listener.portAttached(ic, at, pc));
      return index;
    }
  }

  public void detach(String instanceId, String portId) {
    synchronized (lock) {
      Instance i = requireInstance(instanceId);
      Port p = ports.get(portId);
      if (p == null || !i.interfaces.containsValue(portId)) {
        throw VpcException.notFound(
            "PortNotFound", "Port " + portId + " is not attached to instance " + instanceId + ".");
      }
      i.interfaces.values().remove(portId);
      p.deviceId = "";
      p.deviceOwner = "";
      p.hostId = "";
      p.status = "DOWN";
      touch(p);
      event("port.detached", portId, instanceId);
      Instance ic = i.copy();
      Port pc = p.copy();
      tell(portId, () -> listener.portDetached(ic, pc));
    }
  }

  // ---- state and events ----

  public VpcState snapshot() {
    synchronized (lock) {
      VpcState s = new VpcState();
      networks.values().forEach(n -> s.networks.add(n.copy()));
      subnets.values().forEach(n -> s.subnets.add(n.copy()));
      ports.values().forEach(n -> s.ports.add(n.copy()));
      instances.values().forEach(n -> s.instances.add(n.copy()));
      return s;
    }
  }

  /** Replaces the whole VPC with a saved state, rebuilding address ownership from the ports. */
  public void restore(VpcState state) {
    synchronized (lock) {
      networks.clear();
      subnets.clear();
      ipams.clear();
      ports.clear();
      instances.clear();
      state.networks.forEach(n -> networks.put(n.id, n.copy()));
      for (Subnet s : state.subnets) {
        subnets.put(s.id, s.copy());
        ipams.put(s.id, new Ipam(subnets.get(s.id), random));
      }
      for (Port p : state.ports) {
        ports.put(p.id, p.copy());
        for (FixedIp ip : p.fixedIps) {
          ipams.get(ip.subnetId()).claim(ip.ipAddress(), p.id);
        }
      }
      state.instances.forEach(i -> instances.put(i.id, i.copy()));
      event("state.restored", "", ports.size() + " ports");
      tell("", listener::reset);
      replay();
    }
  }

  /**
   * Tells the listener the whole current VPC as if it were being built now: subnets, instances and
   * their attached ports. Used to rebuild the data plane after a start from a state file.
   */
  public void replay() {
    synchronized (lock) {
      for (Subnet s : subnets.values()) {
        Subnet sc = s.copy();
        tell(s.id, () -> listener.subnetCreated(sc));
      }
      for (Instance i : instances.values()) {
        Instance ic = i.copy();
        tell(i.id, () -> listener.instanceCreated(ic));
        i.interfaces.forEach(
            (index, portId) -> {
              Port pc = ports.get(portId).copy();
              tell(portId, () -> listener.portAttached(ic, index, pc));
            });
      }
    }
  }

  /** Records an event from outside the model (the API records injected faults). */
  public void event(String type, String resourceId, String detail) {
    synchronized (lock) {
      events.addLast(new Event(++eventSeq, now(), type, resourceId, detail));
      while (events.size() > MAX_EVENTS) {
        events.removeFirst();
      }
    }
  }

  public List<Event> events(long afterSeq) {
    synchronized (lock) {
      return events.stream().filter(e -> e.seq() > afterSeq).toList();
    }
  }

  // ---- internals ----

  private void applyPlain(Port p, PortSpec spec) {
    if (spec.name() != null) {
      p.name = spec.name();
    }
    if (spec.description() != null) {
      p.description = spec.description();
    }
    if (spec.adminStateUp() != null) {
      p.adminStateUp = spec.adminStateUp();
    }
    if (spec.deviceId() != null) {
      p.deviceId = spec.deviceId();
    }
    if (spec.deviceOwner() != null) {
      p.deviceOwner = spec.deviceOwner();
    }
    if (spec.hostId() != null) {
      p.hostId = spec.hostId();
    }
    if (spec.securityGroups() != null) {
      p.securityGroups = new ArrayList<>(spec.securityGroups());
    }
  }

  /**
   * Turns a requested fixed_ips list into addresses: entries already on the port are kept, given
   * addresses are claimed, subnet-only entries are allocated. On failure nothing stays claimed.
   */
  private List<FixedIp> resolveFixedIps(
      Port port, List<FixedIpRequest> wanted, List<FixedIp> existing) {
    Network n = networks.get(port.networkId);
    List<FixedIp> result = new ArrayList<>();
    List<FixedIp> claimedHere = new ArrayList<>();
    try {
      for (FixedIpRequest r : wanted) {
        String subnetId = r.subnetId();
        if (subnetId == null && r.ipAddress() == null) {
          throw VpcException.badRequest(
              "Invalid input for fixed_ips: each entry needs subnet_id or ip_address");
        }
        if (subnetId == null) {
          subnetId =
              n.subnets.stream()
                  .filter(s -> ipams.get(s).contains(r.ipAddress()))
                  .findFirst()
                  .orElseThrow(
                      () ->
                          VpcException.badRequest(
                              "Invalid input for operation: IP address "
                                  + r.ipAddress()
                                  + " is not a valid IP for any of the subnets on the specified network."));
        } else if (!n.subnets.contains(subnetId)) {
          if (!subnets.containsKey(subnetId)) {
            throw VpcException.notFound(
                "SubnetNotFound", "Subnet " + subnetId + " could not be found.");
          }
          throw VpcException.badRequest(
              "Invalid input for operation: Failed to create port on network "
                  + n.id
                  + ", because fixed_ips included invalid subnet "
                  + subnetId
                  + ".");
        }
        Ipam ipam = ipams.get(subnetId);
        String ip;
        if (r.ipAddress() == null) {
          ip = ipam.allocate(port.id);
          claimedHere.add(new FixedIp(subnetId, ip));
        } else {
          boolean mine = port.id.equals(ipam.owner(r.ipAddress()));
          ip = ipam.claim(r.ipAddress(), port.id);
          if (!mine) {
            claimedHere.add(new FixedIp(subnetId, ip));
          }
        }
        FixedIp fixed = new FixedIp(subnetId, ip);
        if (result.contains(fixed)) {
          throw VpcException.badRequest("Invalid input for fixed_ips: duplicate address " + ip);
        }
        result.add(fixed);
      }
      return result;
    } catch (RuntimeException e) {
      for (FixedIp c : claimedHere) {
        if (!existing.contains(c)) {
          ipams.get(c.subnetId()).release(c.ipAddress(), port.id);
        }
      }
      throw e;
    }
  }

  private void checkIpQuota(Port p, int count) {
    Instance i = instances.get(p.deviceId);
    if (i == null) {
      return;
    }
    InstanceType type = InstanceType.byName(i.instanceType).orElseThrow();
    if (count > type.ipsPerEni()) {
      throw VpcException.conflict(
          "OverQuota",
          "Quota exceeded for resources: ['fixed_ips']. Instance type "
              + type.name()
              + " takes "
              + type.ipsPerEni()
              + " addresses per network interface, asked for "
              + count
              + ".");
    }
  }

  private List<AddressPair> pairs(Port p, List<AddressPair> given) {
    if (given == null) {
      return new ArrayList<>(p.allowedAddressPairs);
    }
    if (given.size() > MAX_ADDRESS_PAIRS) {
      throw new VpcException(
          400,
          "AllowedAddressPairExhausted",
          "The number of allowed address pair exceeds the maximum " + MAX_ADDRESS_PAIRS + ".");
    }
    List<AddressPair> out = new ArrayList<>();
    for (AddressPair a : given) {
      if (a.ipAddress() == null) {
        throw new VpcException(
            400, "AllowedAddressPairsMissingIP", "AllowedAddressPair must contain ip_address");
      }
      try {
        IpPrefix.parse(a.ipAddress());
      } catch (IllegalArgumentException e) {
        throw VpcException.badRequest(
            "Invalid input for allowed_address_pairs: '"
                + a.ipAddress()
                + "' is not a valid IP address or CIDR");
      }
      out.add(
          new AddressPair(a.ipAddress(), a.macAddress() == null ? p.macAddress : a.macAddress()));
    }
    return out;
  }

  private String newMac() {
    while (true) {
      String mac =
          String.format(
              "fa:16:3e:%02x:%02x:%02x",
              random.nextInt(256), random.nextInt(256), random.nextInt(256));
      if (ports.values().stream().noneMatch(p -> p.macAddress.equals(mac))) {
        return mac;
      }
    }
  }

  private String claimMac(String networkId, String mac) {
    String m;
    try {
      m = MacAddress.parse(mac.toLowerCase()).toString();
    } catch (IllegalArgumentException e) {
      throw VpcException.badRequest(
          "Invalid input for mac_address: '" + mac + "' is not a valid MAC address");
    }
    if (ports.values().stream()
        .anyMatch(p -> p.networkId.equals(networkId) && p.macAddress.equals(m))) {
      throw VpcException.conflict(
          "MacAddressInUse",
          "Unable to complete operation for network "
              + networkId
              + ". The mac address "
              + m
              + " is in use.");
    }
    return m;
  }

  private static String validTag(String tag) {
    if (tag == null
        || tag.isEmpty()
        || tag.length() > 255
        || tag.contains(",")
        || tag.contains("/")) {
      throw VpcException.badRequest(
          "Invalid input for operation: '" + tag + "' is not a valid tag.");
    }
    return tag;
  }

  private void touch(Port p) {
    p.revisionNumber++;
    p.updatedAt = now();
  }

  private Network requireNetwork(String id) {
    Network n = networks.get(id);
    if (n == null) {
      throw VpcException.notFound("NetworkNotFound", "Network " + id + " could not be found.");
    }
    return n;
  }

  private Port requirePort(String id) {
    Port p = ports.get(id);
    if (p == null) {
      throw portNotFound(id);
    }
    return p;
  }

  private static VpcException portNotFound(String id) {
    return VpcException.notFound("PortNotFound", "Port " + id + " could not be found.");
  }

  private Instance requireInstance(String id) {
    Instance i = instances.get(id);
    if (i == null) {
      throw VpcException.notFound("InstanceNotFound", "Instance " + id + " could not be found.");
    }
    return i;
  }

  private String now() {
    return Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
  }

  private static void sleep(long millis) {
    if (millis <= 0) {
      return;
    }
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new VpcException(503, "ServiceUnavailable", "interrupted");
    }
  }
}
