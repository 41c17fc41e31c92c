package io.vpccni.controller.pools;

import io.vpccni.cloud.CloudException;
import io.vpccni.cloud.Eni;
import io.vpccni.cloud.EniCreateRequest;
import io.vpccni.cloud.EniFilter;
import io.vpccni.cloud.EniStatus;
import io.vpccni.cloud.IpAssignment;
import io.vpccni.cloud.OwnershipTags;
import io.vpccni.cloud.Subnet;
import io.vpccni.cloud.VpcApi;
import io.vpccni.crd.NodeEniSpec;
import io.vpccni.netaddr.IpAddress;
import io.vpccni.netaddr.IpPrefix;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link NodeOperations} on any cloud's {@link VpcApi} (the per-cloud details live in the
 * provider). New ENIs of the default pool go into the node's own subnet with its security groups;
 * those of a SubnetPool into the pool's subnet with the most free addresses in the node's zone
 * ({@link SubnetChooser}), with the pool's security groups and the tag {@link #POOL_TAG}. All carry
 * our ownership tags (cluster, node, creation time), so garbage collection can find any that a
 * crash leaves behind. Create and attach are one unit: if the attach fails the ENI is deleted, and
 * if even that fails it stays tagged for GC.
 */
public final class VpcApiNodeOperations implements NodeOperations {
  private static final Logger logger = LoggerFactory.getLogger(VpcApiNodeOperations.class);

  private final VpcApi api;
  private final String clusterId;
  private final Function<String, Optional<String>> instanceIdOf;
  private final Clock clock;
  private final SubnetChooser chooser;
  // the controller's one view of subnets (the chooser's): CIDRs for the spec, free counts
  private final SubnetCache subnets;

  /** The tag that names the SubnetPool of an ENI (absent: the default pool). */
  public static final String POOL_TAG = OwnershipTags.PREFIX + "subnet-pool";

  /**
   * Instance descriptions, kept for {@link #INSTANCE_TTL}: type, quotas, subnet, security groups
   * and primary ENI of a running instance do not change under us (a resize restarts the node).
   */
  private final Map<String, Cached> instances = new ConcurrentHashMap<>();

  private record Cached(io.vpccni.cloud.Instance instance, java.time.Instant at) {}

  static final java.time.Duration INSTANCE_TTL = java.time.Duration.ofMinutes(10);

  /**
   * @param instanceIdOf the cloud instance id of a node (from its providerID), empty if unknown
   */
  public VpcApiNodeOperations(
      VpcApi api, String clusterId, Function<String, Optional<String>> instanceIdOf, Clock clock) {
    this(
        api, clusterId, instanceIdOf, clock, new SubnetChooser(api, clock, Duration.ofSeconds(60)));
  }

  /**
   * @param chooser picks a SubnetPool's subnet for a new ENI (shared with the SubnetPool status)
   */
  public VpcApiNodeOperations(
      VpcApi api,
      String clusterId,
      Function<String, Optional<String>> instanceIdOf,
      Clock clock,
      SubnetChooser chooser) {
    this.chooser = chooser;
    this.subnets = chooser.cache();
    this.api = api;
    this.clusterId = clusterId;
    this.instanceIdOf = instanceIdOf;
    this.clock = clock;
  }

  /** The SPI's instance (the name Instance is taken by {@link NodeOperations.Instance} here). */
  private record CloudInstance(io.vpccni.cloud.Instance get) {}

  private Optional<CloudInstance> describe(String node) {
    Optional<String> id = instanceIdOf.apply(node);
    if (id.isEmpty()) {
      return Optional.empty();
    }
    Cached c = instances.get(id.get());
    if (c != null && c.at().plus(INSTANCE_TTL).isAfter(clock.instant())) {
      return Optional.of(new CloudInstance(c.instance()));
    }
    try {
      io.vpccni.cloud.Instance i = api.describeInstance(id.get());
      instances.put(id.get(), new Cached(i, clock.instant()));
      return Optional.of(new CloudInstance(i));
    } catch (CloudException e) {
      if (e.reason() == CloudException.Reason.NOT_FOUND) {
        instances.remove(id.get());
        return Optional.empty();
      }
      throw e;
    }
  }

  @Override
  public Optional<NodeOperations.Instance> instance(String node) {
    // The SPI counts secondary IPs per ENI; NodeOperations counts the ENI's primary IP too.
    return describe(node)
        .map(CloudInstance::get)
        .map(
            i ->
                new NodeOperations.Instance(
                    i.id(), i.type(), i.eniQuota(), i.ipsPerEni() + 1, i.subnetId()));
  }

  @Override
  public List<NodeEniSpec.Eni> enis(String node) {
    Optional<CloudInstance> inst = describe(node);
    if (inst.isEmpty()) {
      // The instance is gone: our ENIs tagged for this node are what is left of it.
      return api.listEnis(EniFilter.byTags(OwnershipTags.nodeSelector(clusterId, node))).stream()
          .map(this::toSpec)
          .toList();
    }
    List<NodeEniSpec.Eni> out = new ArrayList<>();
    io.vpccni.cloud.Instance i = inst.get().get();
    api.listEnis(EniFilter.byInstance(i.id())).stream()
        .filter(e -> !e.id().equals(i.primaryEniId()))
        .sorted(
            Comparator.comparingInt(
                e -> e.attachment().map(a -> a.deviceIndex()).orElse(Integer.MAX_VALUE)))
        .forEach(e -> out.add(toSpec(e)));
    return out;
  }

  /** From the subnet cache: at most one describe per subnet per its TTL, our own use counted. */
  @Override
  public Optional<NodeEniSpec.Subnet> subnet(String subnetId) {
    return subnets
        .find(subnetId)
        .map(
            s -> {
              NodeEniSpec.Subnet out = new NodeEniSpec.Subnet();
              out.id = s.id();
              out.cidr = s.cidr().toString();
              out.freeIps = s.availableIps();
              return out;
            });
  }

  @Override
  public List<IpAddress> assignIps(String node, String eniId, int count) {
    return api.assignIps(eniId, IpAssignment.count(count));
  }

  @Override
  public List<IpAddress> assignIps(String node, String eniId, List<IpAddress> ips) {
    return api.assignIps(eniId, IpAssignment.of(ips));
  }

  @Override
  public NodeEniSpec.Eni createAndAttachEni(String node, int deviceIndex, int ips) {
    return createAndAttachEni(node, deviceIndex, ips, PoolTarget.DEFAULT);
  }

  @Override
  public NodeEniSpec.Eni createAndAttachEni(
      String node, int deviceIndex, int ips, PoolTarget target) {
    io.vpccni.cloud.Instance inst =
        describe(node)
            .map(CloudInstance::get)
            .orElseThrow(() -> new IllegalStateException("node " + node + " has no instance"));
    Map<String, String> tags =
        new java.util.LinkedHashMap<>(new OwnershipTags(clusterId, node, clock.instant()).toMap());
    String subnetId = inst.subnetId();
    List<String> groups = inst.securityGroups();
    String description = "vpc-cni pod ENI of node " + node;
    if (!target.isDefault()) {
      subnetId = chooser.choose(target, inst.availabilityZone(), ips + 1).id();
      if (!target.securityGroups().isEmpty()) {
        groups = target.securityGroups();
      }
      tags.put(POOL_TAG, target.pool());
      description += " for SubnetPool " + target.pool();
      logger.info(
          "new ENI of node {} for SubnetPool {} goes to subnet {}", node, target.pool(), subnetId);
    }
    Eni eni;
    try {
      eni = api.createEni(new EniCreateRequest(subnetId, groups, tags, description, ips));
    } catch (CloudException e) {
      if (e.reason() == CloudException.Reason.INSUFFICIENT_ADDRESSES) {
        chooser.exhausted(subnetId);
      }
      throw e;
    }
    subnets.used(subnetId, ips + 1); // our own write, counted at once
    try {
      return toSpec(api.attachEni(eni.id(), inst.id(), deviceIndex));
    } catch (RuntimeException attachFailed) {
      try {
        api.deleteEni(eni.id());
      } catch (RuntimeException undoFailed) {
        logger.error(
            "ENI {} created but neither attached nor deleted; its tags let GC remove it: {}",
            eni.id(),
            undoFailed.getMessage());
      }
      throw attachFailed;
    }
  }

  @Override
  public void unassignIps(String node, String eniId, List<IpAddress> ips) {
    api.unassignIps(eniId, ips);
  }

  @Override
  public void deleteEni(String node, String eniId) {
    try {
      Eni e = api.describeEni(eniId);
      if (e.attachment().isPresent()) {
        api.detachEni(eniId);
      }
      api.deleteEni(eniId);
    } catch (CloudException e) {
      if (e.reason() != CloudException.Reason.NOT_FOUND) {
        throw e;
      }
    }
  }

  private NodeEniSpec.Eni toSpec(Eni e) {
    // a CIDR never changes; ENIs converted at once (parallel creates) describe their subnet once
    Subnet subnet = subnets.cidrOf(e.subnetId());
    NodeEniSpec.Eni s = new NodeEniSpec.Eni();
    s.id = e.id();
    s.mac = e.mac().toString();
    s.deviceIndex = e.attachment().map(a -> a.deviceIndex()).orElse(0);
    s.subnetId = e.subnetId();
    s.subnetCidr = subnet.cidr().network().toString();
    // The SPI's Subnet carries no gateway yet: every supported cloud's default is the first host.
    s.gateway = firstHost(subnet.cidr()).toString();
    s.primaryIp = e.primaryIp().toString();
    s.ips = new ArrayList<>(e.secondaryIps().stream().map(IpAddress::toString).toList());
    s.securityGroups = new ArrayList<>(e.securityGroups());
    s.pool = e.tags().getOrDefault(POOL_TAG, "");
    s.state =
        e.status() == EniStatus.IN_USE
            ? "Attached"
            : e.status() == EniStatus.DETACHING ? "Detaching" : "Attaching";
    return s;
  }

  private static IpAddress firstHost(IpPrefix cidr) {
    return IpAddress.ofV4(cidr.network().address().toV4Int() + 1);
  }
}
