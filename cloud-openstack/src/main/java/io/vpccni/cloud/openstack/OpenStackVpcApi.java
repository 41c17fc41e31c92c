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
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
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
 * attached by someone else) takes its position in Nova's interface list, so the boot port is 0. The
 * tag is hidden from {@link Eni#tags()}.
 *
 * <p><b>Writes.</b> {@code fixed_ips} and the tag set are replaced as whole lists, so every
 * read-modify-write of one port runs inside {@link PortWriteSerializer#write} (Neutron loses
 * concurrent updates of one port; see that class). Attaches to one instance are serialized too, so
 * that the device-index and quota checks hold within this process.
 *
 * <p>Quotas: attaching beyond the flavor's ENIs, or assigning beyond its IPs per ENI on an attached
 * port, is refused here before any write ({@code QUOTA_EXCEEDED}); Nova's own 403 and the
 * emulator's 409 {@code OverQuota} map to the same reason.
 */
public final class OpenStackVpcApi implements VpcApi {
  /** The port tag that holds our device index. */
  public static final String DEVICE_INDEX_TAG = OwnershipTags.PREFIX + "device-index";

  /** The port tag that names the primary address among the port's fixed IPs. */
  public static final String PRIMARY_IP_TAG = OwnershipTags.PREFIX + "primary-ip";

  private static final String COMPUTE_OWNER_PREFIX = "compute:";
  private static final String PORT_NAME = "vpc-cni-eni";

  private final NeutronClient neutron;
  private final ComputeClient compute;
  private final String networkId;
  private final Map<String, FlavorLimits> flavors;
  private final PortWriteSerializer portWrites = new PortWriteSerializer();
  private final PortWriteSerializer instanceAttaches = new PortWriteSerializer();
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
    this.neutron = Objects.requireNonNull(neutron, "neutron");
    this.compute = Objects.requireNonNull(compute, "compute");
    this.networkId = networkId;
    this.flavors = Map.copyOf(flavors);
  }

  // ---- instances and subnets

  @Override
  public Instance describeInstance(String instanceId) {
    String action = CloudOperation.DESCRIBE_INSTANCE.verbObject() + " " + instanceId;
    Server server = call(action, () -> compute.getServer(instanceId));
    FlavorLimits limits = limits(server, action);
    List<InterfaceAttachment> interfaces = call(action, () -> compute.listInterfaces(instanceId));
    if (interfaces.isEmpty()) {
      throw new CloudException(Reason.INTERNAL, action, "the server has no port attached");
    }
    Port primary = call(action, () -> neutron.getPort(interfaces.getFirst().portId()));
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
        primaryIp(primary).subnetId(),
        primary.securityGroups());
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
    var subnet = call(action, () -> neutron.getSubnet(subnetId));
    long free = call(action, () -> freeAddresses(subnet));
    return new Subnet(subnet.id(), subnet.cidr(), "", free);
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
        if (!e.isNotFound()) {
          throw e;
        }
        ipAvailabilityMissing = true; // no such extension: count ourselves from now on
      }
    }
    List<Port> ports =
        neutron.listPorts(
            ListFilter.all().eq("fixed_ips", "subnet_id=" + subnet.id()).fields("fixed_ips"));
    return SubnetCounter.free(subnet, ports);
  }

  // ---- create, describe, list

  @Override
  public Eni createEni(EniCreateRequest request) {
    String action = CloudOperation.CREATE_ENI.verbObject() + " in subnet " + request.subnetId();
    var subnet = call(action, () -> neutron.getSubnet(request.subnetId()));
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
    Port port =
        call(action, () -> neutron.createPort(body), e -> subnetCause(e, request.subnetId()));
    // The primary address is only known now (Neutron picks it), and Neutron lists fixed_ips in its
    // own order, so name it in a tag. Neutron without tag-ports-during-bulk-creation also drops
    // the tags of a POST silently (201, "tags": []): then write them all in the same call. If
    // tagging fails, delete the port, so that no untagged port escapes garbage collection.
    List<String> all = new ArrayList<>(tags);
    all.add(PRIMARY_IP_TAG + "=" + port.fixedIps().getFirst().ipAddress());
    try {
      if (port.tags().containsAll(tags)) {
        neutron.addTag(TaggedResource.PORTS, port.id(), all.getLast());
        List<String> now = new ArrayList<>(port.tags());
        now.add(all.getLast());
        port = withTags(port, now);
      } else {
        port = withTags(port, neutron.replaceTags(TaggedResource.PORTS, port.id(), all));
      }
    } catch (OpenStackApiException e) {
      undoCreate(port.id());
      throw Errors.map(e, action + " (tagging port " + port.id() + ", deleted again)");
    }
    return toEni(port, new IndexLookup());
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
    return call(action, () -> toEni(neutron.getPort(eniId), new IndexLookup()));
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
          IndexLookup lookup = new IndexLookup();
          List<Eni> out = new ArrayList<>();
          for (Port p : neutron.listPorts(q)) {
            if (p.fixedIps().isEmpty() || p.macAddress() == null) {
              continue; // not an ENI: a port without an address
            }
            Eni eni = toEni(p, lookup);
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
    return instanceAttaches.write(
        instanceId,
        () -> portWrites.write(eniId, () -> attachLocked(eniId, instanceId, deviceIndex, action)));
  }

  private Eni attachLocked(String eniId, String instanceId, int deviceIndex, String action) {
    IndexLookup lookup = new IndexLookup();
    Port port = call(action, () -> neutron.getPort(eniId));
    Eni eni = call(action, () -> toEni(port, lookup));
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
    Server server = call(action, () -> compute.getServer(instanceId));
    FlavorLimits limits = limits(server, action);
    List<Port> attached = call(action, () -> neutron.listPorts(attachedTo(instanceId)));
    for (Port other : attached) {
      Eni o = call(action, () -> toEni(other, lookup));
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
    List<String> tags = new ArrayList<>();
    for (String t : port.tags()) {
      if (!t.startsWith(DEVICE_INDEX_TAG + "=")) {
        tags.add(t);
      }
    }
    tags.add(DEVICE_INDEX_TAG + "=" + deviceIndex);
    call(action, () -> neutron.replaceTags(TaggedResource.PORTS, eniId, tags));
    try {
      compute.attachInterface(instanceId, eniId);
    } catch (OpenStackApiException e) {
      throw Errors.map(e, action, Errors.Forbidden.QUOTA);
    }
    return call(action, () -> toEni(neutron.getPort(eniId), new IndexLookup()));
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
          Eni eni = call(action, () -> toEni(port, new IndexLookup()));
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
          } catch (OpenStackApiException e) {
            if (!e.isNotFound()) {
              throw Errors.map(e, action);
            }
            // gone from the server already (or the port is gone: the read below says which)
          }
          Port after = call(action, () -> neutron.getPort(eniId));
          Eni now = call(action, () -> toEni(after, new IndexLookup()));
          if (now.attachment().isPresent()) {
            // Nova detaches asynchronously: 202 before the port's device_id is cleared.
            return new Eni(
                now.id(),
                now.mac(),
                now.subnetId(),
                now.primaryIp(),
                now.secondaryIps(),
                now.securityGroups(),
                now.description(),
                EniStatus.DETACHING,
                now.attachment(),
                now.tags(),
                now.createdAt());
          }
          return now;
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
            Eni eni = call(action, () -> toEni(port, new IndexLookup()));
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
          String subnetId = primaryIp(port).subnetId();
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
              var subnet = call(action, () -> neutron.getSubnet(subnetId));
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

  /** On an attached port, the flavor's IPs per ENI bound the secondary addresses. */
  private void checkIpQuota(Port port, int more, String action) {
    if (port.deviceId().isEmpty() || !port.deviceOwner().startsWith(COMPUTE_OWNER_PREFIX)) {
      return;
    }
    Server server = call(action, () -> compute.getServer(port.deviceId()));
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
          if (!port.fixedIps().isEmpty() && ips.contains(primaryIp(port).ipAddress())) {
            throw new CloudException(
                Reason.INVALID_REQUEST,
                action,
                primaryIp(port).ipAddress() + " is the ENI's primary IP");
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
          call(action, () -> neutron.updatePort(eniId, PortUpdate.fixedIps(next)));
        });
  }

  // ---- mapping

  /** Resolves device indexes of ports attached without our tag, one Nova call per server. */
  private final class IndexLookup {
    private final Map<String, List<InterfaceAttachment>> byServer = new HashMap<>();

    int indexOf(String serverId, String portId) {
      List<InterfaceAttachment> ifs = byServer.computeIfAbsent(serverId, compute::listInterfaces);
      for (int i = 0; i < ifs.size(); i++) {
        if (ifs.get(i).portId().equals(portId)) {
          return i;
        }
      }
      return ifs.size(); // not (or no longer) listed by Nova: after every listed one
    }
  }

  private Eni toEni(Port p, IndexLookup lookup) {
    if (p.fixedIps().isEmpty() || p.macAddress() == null) {
      throw new CloudException(
          Reason.INTERNAL,
          "read port " + p.id(),
          "it has no fixed IP or no MAC address, so it is not an ENI");
    }
    Map<String, String> tags = new HashMap<>(OwnershipTags.parseStrings(p.tags()));
    String indexTag = tags.remove(DEVICE_INDEX_TAG);
    tags.remove(PRIMARY_IP_TAG);
    Optional<Attachment> attachment = Optional.empty();
    EniStatus status = EniStatus.AVAILABLE;
    if (!p.deviceId().isEmpty() && p.deviceOwner().startsWith(COMPUTE_OWNER_PREFIX)) {
      int index = parseIndex(indexTag);
      if (index < 0) {
        index = lookup.indexOf(p.deviceId(), p.id());
      }
      attachment = Optional.of(new Attachment(p.deviceId(), index));
      status = "ACTIVE".equals(p.status()) ? EniStatus.IN_USE : EniStatus.ATTACHING;
    } else if (!p.deviceId().isEmpty()) {
      status = EniStatus.IN_USE; // a router or DHCP port on the network: in use, not by a server
    }
    List<IpAddress> secondary = new ArrayList<>();
    FixedIp primary = primaryIp(p);
    for (FixedIp ip : p.fixedIps()) {
      if (!ip.equals(primary)) {
        secondary.add(ip.ipAddress());
      }
    }
    return new Eni(
        p.id(),
        p.macAddress(),
        primary.subnetId(),
        primary.ipAddress(),
        secondary,
        p.securityGroups(),
        p.description(),
        status,
        attachment,
        tags,
        createdAt(p.createdAt()));
  }

  /**
   * The port's primary address: the one its {@value #PRIMARY_IP_TAG} tag names, else (a port we did
   * not create) the first fixed IP Neutron lists. Neutron does not keep {@code fixed_ips} in
   * assignment order (Zed lists them sorted by address text), so the first one is not stable once
   * addresses are added; hence the tag.
   */
  static FixedIp primaryIp(Port p) {
    String tagged = null;
    for (String t : p.tags()) {
      if (t.startsWith(PRIMARY_IP_TAG + "=")) {
        tagged = t.substring(PRIMARY_IP_TAG.length() + 1);
      }
    }
    if (tagged != null) {
      for (FixedIp ip : p.fixedIps()) {
        if (ip.ipAddress() != null && ip.ipAddress().toString().equals(tagged)) {
          return ip;
        }
      }
    }
    return p.fixedIps().getFirst();
  }

  private static int parseIndex(String tagValue) {
    if (tagValue == null) {
      return -1;
    }
    try {
      int i = Integer.parseInt(tagValue);
      return i >= 0 ? i : -1;
    } catch (NumberFormatException e) {
      return -1; // tampered with: fall back to Nova's order
    }
  }

  private static Instant createdAt(String text) {
    if (text == null || text.isEmpty()) {
      return Instant.EPOCH;
    }
    try {
      return Instant.parse(text.endsWith("Z") || text.contains("+") ? text : text + "Z");
    } catch (DateTimeParseException e) {
      return Instant.EPOCH;
    }
  }

  private static Port withTags(Port p, List<String> tags) {
    return new Port(
        p.id(),
        p.name(),
        p.networkId(),
        p.macAddress(),
        p.status(),
        p.deviceId(),
        p.deviceOwner(),
        p.hostId(),
        p.vifType(),
        p.fixedIps(),
        p.allowedAddressPairs(),
        p.securityGroups(),
        p.projectId(),
        p.description(),
        p.revisionNumber(),
        tags,
        p.createdAt());
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
      CloudException mapped = Errors.map(e, action);
      String p = prefix.apply(e);
      if (p.isEmpty()) {
        throw mapped;
      }
      throw new CloudException(
          mapped.reason(), action, p + mapped.detail(), mapped.retryAfter().orElse(null), e);
    }
  }
}
