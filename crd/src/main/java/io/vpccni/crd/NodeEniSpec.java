package io.vpccni.crd;

import java.util.ArrayList;
import java.util.List;

/** Written by the controller only. */
public class NodeEniSpec {
  /** The Kubernetes node this object describes (equal to metadata.name). */
  public String nodeName;

  /** The cloud's instance id of the node. */
  public String instanceId;

  public String instanceType;

  /** ENIs the instance type allows, the primary one included. */
  public int maxEnis;

  /** IPs per ENI the instance type allows, the ENI's primary IP included. */
  public int ipsPerEni;

  /** The node's secondary ENIs; only those in state {@code Attached} are used for pods. */
  public List<Eni> enis = new ArrayList<>();

  public WarmPool warmPool = new WarmPool();

  /**
   * IPs the controller wants to take back (release handshake, first half): the agent stops offering
   * them at once and lists in {@link NodeEniStatus#releaseReady} those no pod holds; the controller
   * unassigns only IPs listed in both, so it never takes an IP a pod just received.
   */
  public List<String> releaseIps = new ArrayList<>();

  /**
   * The subnets this node's pod addresses come from (the instance's subnet, where new ENIs go, and
   * those of its ENIs) with their free-address counts, refreshed by the controller at most once per
   * subnet per cloud resync period. The agent's device plugin caps the capacity it advertises with
   * them; empty means unknown (no cap).
   */
  public List<Subnet> subnets = new ArrayList<>();

  /**
   * Why the controller cannot serve a pool of this node now, one entry per pool and problem
   * (absent: no problem). The controller writes them here, in the spec it owns, so that the agent's
   * status stays the agent's alone; the agent names them in the Events it posts on waiting pods.
   * See docs/nodeeni.md and docs/events.md.
   */
  public List<PoolCondition> conditions = new ArrayList<>();

  /** One secondary ENI and the IPs assigned to it. */
  public static class Eni {
    public String id;
    public String mac;
    public int deviceIndex;
    public String subnetId;
    public String subnetCidr;
    public String gateway;
    public String primaryIp;
    public List<String> ips = new ArrayList<>();
    public List<String> securityGroups = new ArrayList<>();

    /** {@code Attaching}, {@code Attached} or {@code Detaching}. */
    public String state;

    /** The SubnetPool whose pods this ENI's IPs serve; empty (or absent) for the default pool. */
    public String pool = "";
  }

  /**
   * One reason a pool is short of IPs on this node.
   *
   * <p>{@code reason} is one of {@code SubnetExhausted}, {@code EniQuotaReached}, {@code
   * MaxIpsReached}, {@code CloudThrottled}, {@code CloudError}, {@code EniAttaching}, {@code
   * SubnetPoolNotFound}, {@code NoSubnetInZone} (docs/events.md).
   */
  public static class PoolCondition {
    /** The pool ({@code ""} for the default pool). */
    public String pool = "";

    public String reason;
    public String message;

    /** When the controller first saw this reason for this pool (RFC 3339). */
    public String since;
  }

  /** A subnet and how many of its addresses are still free, as the cloud last reported. */
  public static class Subnet {
    public String id;
    public String cidr;
    public long freeIps;
  }

  /** Warm-pool targets the controller works towards (it also copies them here for operators). */
  public static class WarmPool {
    /** Free IPs to keep ready beyond those in use. */
    public int warmIps = 5;

    /** Never hold fewer IPs than this. */
    public int minIps;

    /** Never hold more IPs than this (0 = the instance type's limit). */
    public int maxIps;

    /** Whole spare ENIs to keep attached. */
    public int warmEnis;
  }
}
