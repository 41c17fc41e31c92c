package io.vpccni.cloud.openstack;

import io.vpccni.cloud.Attachment;
import io.vpccni.cloud.CloudException;
import io.vpccni.cloud.CloudException.Reason;
import io.vpccni.cloud.Eni;
import io.vpccni.cloud.EniStatus;
import io.vpccni.cloud.OwnershipTags;
import io.vpccni.cloud.openstack.api.ComputeClient;
import io.vpccni.cloud.openstack.api.FixedIp;
import io.vpccni.cloud.openstack.api.InterfaceAttachment;
import io.vpccni.cloud.openstack.api.Port;
import io.vpccni.netaddr.IpAddress;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * A Neutron port read as an {@link Eni}: which fixed IP is primary, the device index and status of
 * its attachment, its tags without ours. Pure but for {@link IndexLookup}, which asks Nova where a
 * port carries no device-index tag.
 */
final class PortEnis {
  private PortEnis() {}

  /**
   * Resolves device indexes of ports attached without our tag: the server's remembered primary port
   * is 0, any other takes its place in Nova's interface list, one Nova call per server.
   */
  static final class IndexLookup {
    /** For ports known to be unattached: asking it is a bug. */
    static final IndexLookup NONE = new IndexLookup(null, s -> Optional.empty());

    private final ComputeClient compute;
    private final Function<String, Optional<String>> primaryPort;
    private final Map<String, List<InterfaceAttachment>> byServer = new HashMap<>();

    /**
     * @param primaryPort the port known to be first in a server's interface list, if one is
     */
    IndexLookup(ComputeClient compute, Function<String, Optional<String>> primaryPort) {
      this.compute = compute;
      this.primaryPort = primaryPort;
    }

    int indexOf(String serverId, String portId) {
      if (primaryPort.apply(serverId).map(portId::equals).orElse(false)) {
        return 0;
      }
      if (compute == null) {
        throw new IllegalStateException("no index lookup for port " + portId);
      }
      List<InterfaceAttachment> ifs = byServer.computeIfAbsent(serverId, compute::listInterfaces);
      for (int i = 0; i < ifs.size(); i++) {
        if (ifs.get(i).portId().equals(portId)) {
          return i;
        }
      }
      return ifs.size(); // not (or no longer) listed by Nova: after every listed one
    }
  }

  /** The device index the port's tag holds, if it holds a valid one. */
  static java.util.OptionalInt taggedIndex(Port p) {
    String value = null;
    for (String t : p.tags()) {
      if (t.startsWith(OpenStackVpcApi.DEVICE_INDEX_TAG + "=")) {
        value = t.substring(OpenStackVpcApi.DEVICE_INDEX_TAG.length() + 1);
      }
    }
    int i = parseIndex(value);
    return i < 0 ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(i);
  }

  /**
   * The ENI of a port read while unattached, after we wrote {@code tags} on it and Nova attached it
   * at {@code at}: {@code IN_USE} when Nova reports the port {@code ACTIVE}, else {@code
   * ATTACHING}. Everything else is the port as read.
   */
  static Eni attached(Port unattached, List<String> tags, Attachment at, String portState) {
    Eni e = toEni(withTags(unattached, tags), IndexLookup.NONE);
    return new Eni(
        e.id(),
        e.mac(),
        e.subnetId(),
        e.primaryIp(),
        e.secondaryIps(),
        e.securityGroups(),
        e.description(),
        "ACTIVE".equals(portState) ? EniStatus.IN_USE : EniStatus.ATTACHING,
        Optional.of(at),
        e.tags(),
        e.createdAt());
  }

  static Eni withStatus(Eni e, EniStatus status) {
    return new Eni(
        e.id(),
        e.mac(),
        e.subnetId(),
        e.primaryIp(),
        e.secondaryIps(),
        e.securityGroups(),
        e.description(),
        status,
        e.attachment(),
        e.tags(),
        e.createdAt());
  }

  static Eni toEni(Port p, IndexLookup lookup) {
    if (p.fixedIps().isEmpty() || p.macAddress() == null) {
      throw new CloudException(
          Reason.INTERNAL,
          "read port " + p.id(),
          "it has no fixed IP or no MAC address, so it is not an ENI");
    }
    Map<String, String> tags = new HashMap<>(OwnershipTags.parseStrings(p.tags()));
    String indexTag = tags.remove(OpenStackVpcApi.DEVICE_INDEX_TAG);
    tags.remove(OpenStackVpcApi.PRIMARY_IP_TAG);
    Optional<Attachment> attachment = Optional.empty();
    EniStatus status = EniStatus.AVAILABLE;
    if (!p.deviceId().isEmpty()
        && p.deviceOwner().startsWith(OpenStackVpcApi.COMPUTE_OWNER_PREFIX)) {
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
   * The port's primary address: the one its {@value OpenStackVpcApi#PRIMARY_IP_TAG} tag names, else
   * (a port we did not create) the first fixed IP Neutron lists. Neutron does not keep {@code
   * fixed_ips} in assignment order (Zed lists them sorted by address text), so the first one is not
   * stable once addresses are added; hence the tag.
   */
  static FixedIp primaryIp(Port p) {
    String tagged = null;
    for (String t : p.tags()) {
      if (t.startsWith(OpenStackVpcApi.PRIMARY_IP_TAG + "=")) {
        tagged = t.substring(OpenStackVpcApi.PRIMARY_IP_TAG.length() + 1);
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

  static Port withTags(Port p, List<String> tags) {
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
}
