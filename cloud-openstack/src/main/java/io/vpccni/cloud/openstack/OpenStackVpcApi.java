package io.vpccni.cloud.openstack;

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
import io.vpccni.cloud.OwnershipTags;
import io.vpccni.cloud.Subnet;
import io.vpccni.cloud.VpcApi;
import io.vpccni.cloud.openstack.api.ComputeClient;
import io.vpccni.cloud.openstack.api.FixedIp;
import io.vpccni.cloud.openstack.api.InterfaceAttachment;
import io.vpccni.cloud.openstack.api.ListFilter;
import io.vpccni.cloud.openstack.api.NeutronClient;
import io.vpccni.cloud.openstack.api.OpenStackApiException;
import io.vpccni.cloud.openstack.api.Port;
import io.vpccni.cloud.openstack.api.PortCreate;
import io.vpccni.cloud.openstack.api.PortUpdate;
import io.vpccni.cloud.openstack.api.PortWriteSerializer;
import io.vpccni.cloud.openstack.api.Server;
import io.vpccni.cloud.openstack.api.TaggedResource;
import io.vpccni.netaddr.IpAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@link VpcApi} on Neutron and Nova. An ENI is a Neutron port on the VPC network: the fixed IP its
 * {@value #PRIMARY_IP_TAG} tag names (else, for a port we did not create, the first one listed) is
 * the primary address, the others are secondary; tags are {@code key=value} strings. Attach and
 * detach are Nova {@code os-interface} calls; an instance is a Nova server whose flavor's limits
 * come from the provider settings ({@link FlavorLimits}).
 *
 * <p><b>Device index.</b> Neutron and Nova have none, so the index we attach at is kept in a port
 * tag {@value #DEVICE_INDEX_TAG}{@code =N}, written before the {@code os-interface} call and
 * meaningful only while the port is attached (a stale tag on a detached port is ignored and
 * overwritten by the next attach). A port attached without that tag (the server's boot port, or one
 * attached by someone else) takes its position in Nova's interface list, so the boot port is 0 (the
 * port {@code describeInstance} named primary is 0 without asking Nova again, see {@link Facts}).
 * The tag is hidden from {@link Eni#tags()}.
 *
 * <p><b>Primary IP.</b> Where Neutron keeps the tags of a {@code POST} ({@code
 * tag-ports-during-bulk-creation}), {@code createEni} is that one request, and the primary-ip tag
 * is written later, with the first request that needs it: the attach's tag write, or, for a port
 * whose addresses change before it is attached, a tag request right before that change. Until then
 * the primary is the first fixed IP Neutron lists, which stays first while the set of addresses
 * does not change (Neutron lists them sorted by address text; verified in the module README).
 * Without that extension the tags are written right after the POST, primary-ip included.
 *
 * <p><b>Writes.</b> {@code fixed_ips} and the tag set are replaced as whole lists, so every
 * read-modify-write of one port runs inside {@link PortWriteSerializer#write} (Neutron loses
 * concurrent updates of one port; see that class). Attaches to one instance are serialized too
 * (after the port's lock, by attach only), so that the device-index and quota checks hold within
 * this process.
 *
 * <p><b>Requests per call</b> (pinned by {@code OpenStackRequestCountTest}): describeInstance 3
 * (server, its interfaces, its primary port); describeSubnet 2, 1 once the subnet is known;
 * createEni 1 once the subnet is known (+1 to read the subnet the first time, +1 where Neutron
 * drops the tags of a POST); attachEni 4 (port, the server's ports, tags, attach; +1 for the server
 * when its copy is older than {@link Facts#SERVER_TTL}, +1 for Nova's interface list when an
 * untagged port could hold the index asked for); detachEni, deleteEni 2; describeEni, listEnis 1
 * (+1 per server with an attached port that has no device-index tag and is not its remembered
 * primary); assignIps, unassignIps 2 (+1 for the primary-ip tag, once, on a port that lacks it;
 * assignIps +1 for the server of an attached port whose copy is old, +1 for the subnet of specific
 * addresses the first time).
 *
 * <p>Quotas: attaching beyond the flavor's ENIs, or assigning beyond its IPs per ENI on an attached
 * port, is refused here before any write ({@code QUOTA_EXCEEDED}); Nova's own 403 and the
 * emulator's 409 {@code OverQuota} map to the same reason.
 *
 * <p>Over 400 lines (STYLE.md rule 15) because each of the ten calls carries its own checks, in the
 * order the contract needs them, around its serialized read-modify-write; what is pure lives beside
 * it ({@link PortEnis}, {@link Errors}, {@link SubnetCounter}, {@link FlavorLimits}).
 */
public final class OpenStackVpcApi implements VpcApi {
  /** The port tag that holds our device index. */
  public static final String DEVICE_INDEX_TAG = OwnershipTags.PREFIX + "device-index";

  /** The port tag that names the primary address among the port's fixed IPs. */
  public static final String PRIMARY_IP_TAG = OwnershipTags.PREFIX + "primary-ip";

  static final String COMPUTE_OWNER_PREFIX = "compute:";
  private static final String PORT_NAME = "vpc-cni-eni";

  private final NeutronClient neutron;
  private final ComputeClient compute;
  private final String networkId;
  private final Map<String, FlavorLimits> flavors;
  private final PortWriteSerializer portWrites = new PortWriteSerializer();
  private final PortWriteSerializer instanceAttaches = new PortWriteSerializer();
  private final Facts facts;
  // A per-key lock (keys "subnet/ID", "server/ID"): calls that miss the same fact at once, as the
  // creates of one refill do, make one read between them and the others find it remembered.
  private final PortWriteSerializer factReads = new PortWriteSerializer();
  private volatile boolean ipAvailabilityMissing;

  /**
   * @param networkId the VPC network's id: ENIs are its ports; null for every network
   * @param flavors ENI and IP limits by flavor name (or id, when Nova shows no name)
   */
  public OpenStackVpcApi(
      NeutronClient neutron,
      ComputeClient compute,
      String networkId,
      Map<String, FlavorLimits> flavors) {
    this(neutron, compute, networkId, flavors, new Facts());
  }

  /** As above, with the cache of subnets and servers given (tests move its clock). */
  OpenStackVpcApi(
      NeutronClient neutron,
      ComputeClient compute,
      String networkId,
      Map<String, FlavorLimits> flavors,
      Facts facts) {
    this.neutron = Objects.requireNonNull(neutron, "neutron");
    this.compute = Objects.requireNonNull(compute, "compute");
    this.networkId = networkId;
    this.flavors = Map.copyOf(flavors);
    this.facts = Objects.requireNonNull(facts, "facts");
  }

  // ---- instances and subnets

  @Override
  public Instance describeInstance(String instanceId) {
    String action = CloudOperation.DESCRIBE_INSTANCE.verbObject() + " " + instanceId;
    // Always read: this is where a resize shows, and it refreshes the copy the quota checks use.
    Server server = facts.remember(instanceId, call(action, () -> compute.getServer(instanceId)));
    FlavorLimits limits = limits(server, action);
    List<InterfaceAttachment> interfaces = call(action, () -> compute.listInterfaces(instanceId));
    if (interfaces.isEmpty()) {
      throw new CloudException(Reason.INTERNAL, action, "the server has no port attached");
    }
    Port primary = call(action, () -> neutron.getPort(interfaces.getFirst().portId()));
    facts.rememberPrimaryPort(instanceId, primary.id());
    if (primary.fixedIps().isEmpty()) {
      throw new CloudException(
          Reason.INTERNAL, action, "its first port " + primary.id() + " has no fixed IP");
    }
    return new Instance(
        server.id(),
        server.flavorName(),
        server.availabilityZone(),
        limits.enis(),
        limits.ipsPerEni(),
        primary.id(),
        PortEnis.primaryIp(primary).subnetId(),
        primary.securityGroups());
  }

  /** The server, as read less than {@link Facts#SERVER_TTL} ago or now. */
  private Server server(String instanceId, String action) {
    return known(
        "server/" + instanceId,
        () -> facts.server(instanceId),
        () -> facts.remember(instanceId, call(action, () -> compute.getServer(instanceId))));
  }

  /** The fact remembered, else read once for all the callers that miss it at the same time. */
  private <T> T known(String key, Supplier<Optional<T>> remembered, Supplier<T> read) {
    return remembered
        .get()
        .orElseGet(() -> factReads.write(key, () -> remembered.get().orElseGet(read)));
  }

  /** A device-index lookup for one call (it keeps Nova's lists for the call only). */
  private PortEnis.IndexLookup lookup() {
    return new PortEnis.IndexLookup(compute, facts::primaryPort);
  }

  private FlavorLimits limits(Server server, String action) {
    FlavorLimits limits = flavors.get(server.flavorName());
    if (limits == null) {
      throw new CloudException(
          Reason.INVALID_REQUEST,
          action,
          "flavor "
              + server.flavorName()
              + " has no limits in the provider settings; add flavor."
              + server.flavorName()
              + "=<enis>x<ipsPerEni>");
    }
    return limits;
  }

  @Override
  public Subnet describeSubnet(String subnetId) {
    String action = CloudOperation.DESCRIBE_SUBNET.verbObject() + " " + subnetId;
    var known = facts.subnet(subnetId);
    if (known.isPresent() && !ipAvailabilityMissing) {
      // One request: the network's availability lists the subnet while it exists.
      OptionalLong free = call(action, () -> listedFree(known.get()));
      if (free.isPresent()) {
        return new Subnet(subnetId, known.get().cidr(), "", free.getAsLong());
      }
      facts.forgetSubnet(subnetId); // not listed: gone, or not counted yet; ask the subnet
    }
    var subnet = call(action, () -> neutron.getSubnet(subnetId));
    facts.remember(subnet);
    long free = call(action, () -> freeAddresses(subnet));
    return new Subnet(subnet.id(), subnet.cidr(), "", free);
  }

  /** The free count network-ip-availability gives a known subnet; empty when it is not listed. */
  private OptionalLong listedFree(Facts.SubnetFacts subnet) {
    try {
      for (var a : neutron.getNetworkIpAvailability(subnet.networkId())) {
        if (a.subnetId().equals(subnet.id())) {
          return OptionalLong.of(a.freeIps());
        }
      }
      return OptionalLong.empty();
    } catch (OpenStackApiException e) {
      if (isForbidden(e)) {
        ipAvailabilityMissing = true; // not for this user: count ourselves from now on
        return OptionalLong.empty();
      }
      if (e.isNotFound()) {
        return OptionalLong.empty(); // the network is gone, or the extension: the full path decides
      }
      throw e;
    }
  }

  /** The subnet's network and CIDR, remembered or read (and then remembered). */
  private Facts.SubnetFacts subnetFacts(String subnetId, String action) {
    return known(
        "subnet/" + subnetId,
        () -> facts.subnet(subnetId),
        () -> facts.remember(call(action, () -> neutron.getSubnet(subnetId))));
  }

  /** From network-ip-availability where the extension is loaded, else counted from the ports. */
  private long freeAddresses(io.vpccni.cloud.openstack.api.Subnet subnet) {
    if (!ipAvailabilityMissing) {
      try {
        for (var a : neutron.getNetworkIpAvailability(subnet.networkId())) {
          if (a.subnetId().equals(subnet.id())) {
            return a.freeIps();
          }
        }
      } catch (OpenStackApiException e) {
        if (!e.isNotFound() && !isForbidden(e)) {
          throw e;
        }
        // no such extension (404), or the policy keeps it for admins (403, the default for a
        // project member): count ourselves from now on
        ipAvailabilityMissing = true;
      }
    }
    List<Port> ports =
        neutron.listPorts(
            ListFilter.all().eq("fixed_ips", "subnet_id=" + subnet.id()).fields("fixed_ips"));
    return SubnetCounter.free(subnet, ports);
  }

  /**
   * Neutron's default policy ({@code get_network_ip_availability: rule:admin_only}) answers a
   * non-admin user 403: the counts are not for us, as if the extension were missing.
   */
  private static boolean isForbidden(OpenStackApiException e) {
    return e.status() == 403;
  }

  // ---- create, describe, list

  @Override
  public Eni createEni(EniCreateRequest request) {
    String action = CloudOperation.CREATE_ENI.verbObject() + " in subnet " + request.subnetId();
    boolean remembered = facts.subnet(request.subnetId()).isPresent();
    Facts.SubnetFacts subnet = subnetFacts(request.subnetId(), action);
    if (networkId != null && !networkId.equals(subnet.networkId())) {
      throw new CloudException(
          Reason.INVALID_REQUEST,
          action,
          "the subnet is on network " + subnet.networkId() + ", not the VPC network " + networkId);
    }
    List<FixedIp> ips = new ArrayList<>();
    for (int i = 0; i <= request.secondaryIpCount(); i++) {
      ips.add(FixedIp.anyIn(subnet.id()));
    }
    List<String> tags = OwnershipTags.toStrings(request.tags());
    PortCreate create =
        PortCreate.on(subnet.networkId())
            .withName(PORT_NAME)
            .withDescription(request.description())
            .withFixedIps(ips)
            .withTags(tags);
    if (!request.securityGroups().isEmpty()) {
      create = create.withSecurityGroups(request.securityGroups());
    }
    PortCreate body = create;
    Port port;
    try {
      port = neutron.createPort(body);
    } catch (OpenStackApiException e) {
      if (remembered && (e.isNotFound() || e.status() == 400)) {
        // Perhaps the remembered subnet is gone: forget it, and let a read say NOT_FOUND if so.
        facts.forgetSubnet(request.subnetId());
        subnetFacts(request.subnetId(), action);
      }
      throw mapped(action, e, subnetCause(e, request.subnetId()));
    }
    if (port.tags().containsAll(tags)) {
      // Neutron kept the tags of the POST (tag-ports-during-bulk-creation): one request. The
      // primary address is the first fixed IP Neutron lists, and stays first while the port's set
      // of addresses does not change (Neutron sorts them by address text); the primary-ip tag is
      // written with the first write that changes that set or with the attach's device-index tag
      // (primaryTagIfMissing), whichever comes first.
      return PortEnis.toEni(port, PortEnis.IndexLookup.NONE);
    }
    // Neutron without tag-ports-during-bulk-creation drops the tags of a POST silently (201,
    // "tags": []): write them all now, with the primary-ip tag. If tagging fails, delete the port,
    // so that no untagged port escapes garbage collection.
    List<String> all = new ArrayList<>(tags);
    all.add(PRIMARY_IP_TAG + "=" + port.fixedIps().getFirst().ipAddress());
    try {
      port = PortEnis.withTags(port, neutron.replaceTags(TaggedResource.PORTS, port.id(), all));
    } catch (OpenStackApiException e) {
      undoCreate(port.id());
      throw Errors.map(e, action + " (tagging port " + port.id() + ", deleted again)");
    }
    return PortEnis.toEni(port, PortEnis.IndexLookup.NONE);
  }

  /**
   * The port's primary-ip tag when it has none yet (created with its tags in the POST, or not
   * ours): to be written before anything changes its set of fixed IPs, while the first one listed
   * is still the primary. Empty when the port has it.
   */
  private static Optional<String> primaryTagIfMissing(Port port) {
    for (String t : port.tags()) {
      if (t.startsWith(PRIMARY_IP_TAG + "=")) {
        return Optional.empty();
      }
    }
    return Optional.of(PRIMARY_IP_TAG + "=" + PortEnis.primaryIp(port).ipAddress());
  }

  private void undoCreate(String portId) {
    try {
      neutron.deletePort(portId);
    } catch (OpenStackApiException ignored) {
      // The port keeps no ownership tags, so GC cannot find it; the exception we throw names it.
    }
  }

  @Override
  public Eni describeEni(String eniId) {
    String action = CloudOperation.DESCRIBE_ENI.verbObject() + " " + eniId;
    return call(action, () -> PortEnis.toEni(neutron.getPort(eniId), lookup()));
  }

  @Override
  public List<Eni> listEnis(EniFilter filter) {
    String action = CloudOperation.LIST_ENIS.verbObject() + " by " + filter;
    ListFilter query = ListFilter.all();
    if (networkId != null) {
      query = query.networkId(networkId);
    }
    if (!filter.tags().isEmpty()) {
      query = query.tags(OwnershipTags.toStrings(filter.tags()));
    }
    if (filter.instanceId().isPresent()) {
      query = query.deviceId(filter.instanceId().get());
    }
    if (filter.subnetId().isPresent()) {
      query = query.eq("fixed_ips", "subnet_id=" + filter.subnetId().get());
    }
    ListFilter q = query;
    return call(
        action,
        () -> {
          PortEnis.IndexLookup lookup = lookup();
          List<Eni> out = new ArrayList<>();
          for (Port p : neutron.listPorts(q)) {
            if (p.fixedIps().isEmpty() || p.macAddress() == null) {
              continue; // not an ENI: a port without an address
            }
            Eni eni = PortEnis.toEni(p, lookup);
            if (filter.matches(eni)) {
              out.add(eni);
            }
          }
          return out;
        });
  }

  // ---- attach, detach, delete

  @Override
  public Eni attachEni(String eniId, String instanceId, int deviceIndex) {
    String action =
        CloudOperation.ATTACH_ENI.verbObject() + " " + eniId + " to instance " + instanceId;
    if (deviceIndex < 1) {
      throw new CloudException(
          Reason.INVALID_REQUEST, action, "device index must be >= 1, not " + deviceIndex);
    }
    return portWrites.write(eniId, () -> attachLocked(eniId, instanceId, deviceIndex, action));
  }

  /**
   * Under the port's lock: what needs only the port and the server's flavor. The checks that need
   * the instance's other ports, and the attach, then run under the instance's lock (always taken
   * second, and by attach only, so the two locks cannot deadlock), which keeps the requests that
   * serialize attaches to one instance to three: list its ports, write the port's tags, attach (the
   * tags only once the checks pass, so that a refused attach writes nothing).
   */
  private Eni attachLocked(String eniId, String instanceId, int deviceIndex, String action) {
    PortEnis.IndexLookup lookup = lookup();
    Port port = call(action, () -> neutron.getPort(eniId));
    Eni eni = call(action, () -> PortEnis.toEni(port, lookup));
    if (eni.attachment().isPresent()) {
      Attachment a = eni.attachment().get();
      if (a.equals(new Attachment(instanceId, deviceIndex))) {
        return eni;
      }
      throw new CloudException(Reason.CONFLICT, action, "it is attached to " + a);
    }
    if (!port.deviceId().isEmpty()) {
      throw new CloudException(
          Reason.CONFLICT, action, "it is in use by " + port.deviceOwner() + " " + port.deviceId());
    }
    Server server = server(instanceId, action);
    FlavorLimits limits = limits(server, action);
    List<String> tags = new ArrayList<>();
    for (String t : port.tags()) {
      if (!t.startsWith(DEVICE_INDEX_TAG + "=")) {
        tags.add(t);
      }
    }
    tags.add(DEVICE_INDEX_TAG + "=" + deviceIndex);
    primaryTagIfMissing(port).ifPresent(tags::add); // one write for both tags
    return instanceAttaches.write(
        instanceId,
        () -> {
          checkInstance(instanceId, deviceIndex, server, limits, lookup, action);
          List<String> stored =
              call(action, () -> neutron.replaceTags(TaggedResource.PORTS, eniId, tags));
          InterfaceAttachment done;
          try {
            done = compute.attachInterface(instanceId, eniId);
          } catch (OpenStackApiException e) {
            throw Errors.map(e, action, Errors.Forbidden.QUOTA);
          }
          // No second read: under portWrites nothing else of ours changed the port, the attach
          // changes only its device and status, and Nova's answer carries the status.
          return PortEnis.attached(
              port, stored, new Attachment(instanceId, deviceIndex), done.portState());
        });
  }

  /**
   * Device index free on the instance, and an ENI of quota left, else CONFLICT / QUOTA_EXCEEDED.
   */
  private void checkInstance(
      String instanceId,
      int deviceIndex,
      Server server,
      FlavorLimits limits,
      PortEnis.IndexLookup lookup,
      String action) {
    List<Port> attached = call(action, () -> neutron.listPorts(attachedTo(instanceId)));
    for (Port other : attached) {
      if (PortEnis.taggedIndex(other).isEmpty() && deviceIndex >= attached.size()) {
        // A port without our tag has its place in Nova's interface list for index, and Nova lists
        // the server's ports by device_id, these same ports: its place is below attached.size(),
        // so it cannot hold deviceIndex, and asking Nova for the list would change nothing.
        continue;
      }
      Eni o = call(action, () -> PortEnis.toEni(other, lookup));
      if (o.attachment().map(Attachment::deviceIndex).orElse(-1) == deviceIndex) {
        throw new CloudException(
            Reason.CONFLICT, action, "device index " + deviceIndex + " is in use by " + o.id());
      }
    }
    if (attached.size() >= limits.enis()) {
      throw new CloudException(
          Reason.QUOTA_EXCEEDED,
          action,
          "flavor " + server.flavorName() + " takes " + limits.enis() + " ENIs and has them all");
    }
  }

  private static ListFilter attachedTo(String instanceId) {
    return ListFilter.all().deviceId(instanceId);
  }

  @Override
  public Eni detachEni(String eniId) {
    String action = CloudOperation.DETACH_ENI.verbObject() + " " + eniId;
    return portWrites.write(
        eniId,
        () -> {
          Port port = call(action, () -> neutron.getPort(eniId));
          Eni eni = call(action, () -> PortEnis.toEni(port, lookup()));
          if (eni.attachment().isEmpty()) {
            return eni;
          }
          Attachment a = eni.attachment().get();
          if (a.deviceIndex() == 0) {
            throw new CloudException(
                Reason.INVALID_REQUEST, action, "it is the primary ENI of " + a.instanceId());
          }
          try {
            compute.detachInterface(a.instanceId(), eniId);
            // Nova detaches asynchronously (202 before the port's device_id is cleared): the ENI
            // is DETACHING until a describe shows it AVAILABLE, so no second read here.
            return PortEnis.withStatus(eni, EniStatus.DETACHING);
          } catch (OpenStackApiException e) {
            if (!e.isNotFound()) {
              throw Errors.map(e, action);
            }
            // gone from the server already, or the port is gone: the read below says which
          }
          Port after = call(action, () -> neutron.getPort(eniId));
          Eni now = call(action, () -> PortEnis.toEni(after, lookup()));
          return now.attachment().isPresent() ? PortEnis.withStatus(now, EniStatus.DETACHING) : now;
        });
  }

  @Override
  public void deleteEni(String eniId) {
    String action = CloudOperation.DELETE_ENI.verbObject() + " " + eniId;
    portWrites.run(
        eniId,
        () -> {
          Port port = call(action, () -> neutron.getPort(eniId));
          if (!port.deviceId().isEmpty()) {
            Eni eni = call(action, () -> PortEnis.toEni(port, lookup()));
            throw new CloudException(
                Reason.CONFLICT,
                action,
                "it is attached to "
                    + eni.attachment()
                        .map(Attachment::toString)
                        .orElse(port.deviceOwner() + " " + port.deviceId()));
          }
          call(
              action,
              () -> {
                neutron.deletePort(eniId);
                return null;
              });
        });
  }

  // ---- secondary IPs

  @Override
  public List<IpAddress> assignIps(String eniId, IpAssignment request) {
    String action = CloudOperation.ASSIGN_IPS.verbObject() + " " + eniId;
    return portWrites.write(
        eniId,
        () -> {
          Port port = call(action, () -> neutron.getPort(eniId));
          if (port.fixedIps().isEmpty()) {
            throw new CloudException(Reason.INVALID_REQUEST, action, "the port has no fixed IP");
          }
          String subnetId = PortEnis.primaryIp(port).subnetId();
          Set<IpAddress> held = new LinkedHashSet<>();
          port.fixedIps().forEach(ip -> held.add(ip.ipAddress()));
          List<FixedIp> next = new ArrayList<>(port.fixedIps());
          List<IpAddress> wanted = List.of();
          switch (request) {
            case IpAssignment.Count c -> {
              checkIpQuota(port, c.n(), action);
              for (int i = 0; i < c.n(); i++) {
                next.add(FixedIp.anyIn(subnetId));
              }
            }
            case IpAssignment.Specific s -> {
              var subnet = subnetFacts(subnetId, action);
              List<IpAddress> missing = new ArrayList<>();
              for (IpAddress ip : s.addresses()) {
                if (!subnet.cidr().contains(ip)) {
                  throw new CloudException(
                      Reason.INVALID_REQUEST,
                      action,
                      ip + " is outside subnet " + subnetId + " " + subnet.cidr());
                }
                if (!held.contains(ip)) {
                  missing.add(ip);
                }
              }
              if (missing.isEmpty()) {
                return s.addresses();
              }
              checkIpQuota(port, missing.size(), action);
              missing.forEach(ip -> next.add(new FixedIp(subnetId, ip)));
              wanted = s.addresses();
            }
          }
          tagPrimaryIfMissing(port, action);
          Port after =
              call(
                  action,
                  () -> neutron.updatePort(eniId, PortUpdate.fixedIps(next)),
                  e -> subnetCause(e, subnetId));
          if (request instanceof IpAssignment.Specific) {
            return wanted;
          }
          List<IpAddress> added = new ArrayList<>();
          for (FixedIp ip : after.fixedIps()) {
            if (!held.contains(ip.ipAddress())) {
              added.add(ip.ipAddress());
            }
          }
          return added;
        });
  }

  /** Before the port's set of fixed IPs changes: name its primary while the first listed is it. */
  private void tagPrimaryIfMissing(Port port, String action) {
    primaryTagIfMissing(port)
        .ifPresent(
            tag ->
                call(
                    action,
                    () -> {
                      neutron.addTag(TaggedResource.PORTS, port.id(), tag);
                      return null;
                    }));
  }

  /** On an attached port, the flavor's IPs per ENI bound the secondary addresses. */
  private void checkIpQuota(Port port, int more, String action) {
    if (port.deviceId().isEmpty() || !port.deviceOwner().startsWith(COMPUTE_OWNER_PREFIX)) {
      return;
    }
    Server server = server(port.deviceId(), action);
    FlavorLimits limits = limits(server, action);
    int secondary = port.fixedIps().size() - 1;
    if (secondary + more > limits.ipsPerEni()) {
      throw new CloudException(
          Reason.QUOTA_EXCEEDED,
          action,
          "it holds "
              + secondary
              + " secondary IPs and flavor "
              + server.flavorName()
              + " allows "
              + limits.ipsPerEni()
              + " per ENI; "
              + more
              + " more asked");
    }
  }

  @Override
  public void unassignIps(String eniId, Collection<IpAddress> ips) {
    String action = CloudOperation.UNASSIGN_IPS.verbObject() + " " + eniId;
    portWrites.run(
        eniId,
        () -> {
          Port port = call(action, () -> neutron.getPort(eniId));
          if (!port.fixedIps().isEmpty() && ips.contains(PortEnis.primaryIp(port).ipAddress())) {
            throw new CloudException(
                Reason.INVALID_REQUEST,
                action,
                PortEnis.primaryIp(port).ipAddress() + " is the ENI's primary IP");
          }
          List<FixedIp> next = new ArrayList<>();
          for (FixedIp ip : port.fixedIps()) {
            if (!ips.contains(ip.ipAddress())) {
              next.add(ip);
            }
          }
          if (next.size() == port.fixedIps().size()) {
            return; // holds none of them
          }
          tagPrimaryIfMissing(port, action);
          call(action, () -> neutron.updatePort(eniId, PortUpdate.fixedIps(next)));
        });
  }

  /** Exhaustion names the subnet, so that the message says which one ran dry. */
  private static String subnetCause(OpenStackApiException e, String subnetId) {
    return "IpAddressGenerationFailure".equals(e.type()) ? "subnet " + subnetId + ": " : "";
  }

  private static <T> T call(String action, Supplier<T> call) {
    return call(action, call, e -> "");
  }

  private static <T> T call(
      String action,
      Supplier<T> call,
      java.util.function.Function<OpenStackApiException, String> prefix) {
    try {
      return call.get();
    } catch (OpenStackApiException e) {
      throw mapped(action, e, prefix.apply(e));
    }
  }

  private static CloudException mapped(String action, OpenStackApiException e, String prefix) {
    CloudException mapped = Errors.map(e, action);
    if (prefix.isEmpty()) {
      return mapped;
    }
    return new CloudException(
        mapped.reason(), action, prefix + mapped.detail(), mapped.retryAfter().orElse(null), e);
  }
}
