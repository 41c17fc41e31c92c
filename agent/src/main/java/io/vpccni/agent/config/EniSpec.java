package io.vpccni.agent.config;

import io.vpccni.netaddr.IpAddress;
import io.vpccni.netaddr.IpPrefix;
import io.vpccni.netaddr.MacAddress;
import java.util.List;

/**
 * One secondary ENI attached to this node, as the agent's ENI source describes it (a static file
 * for now; the controller's {@code NodeENI} later).
 *
 * @param id the cloud's ENI id (port id on OpenStack)
 * @param mac how the agent finds the ENI's interface in the node namespace
 * @param deviceIndex the attachment's device index, stable for the ENI's life: route table ids are
 *     derived from it, never from the ifindex (which changes when a link is re-created)
 * @param subnet the ENI's subnet
 * @param gateway the subnet's gateway (next hop for egress out of this ENI)
 * @param primaryIp the ENI's own address (the pod's address in exclusive mode)
 * @param ips secondary IPs assigned to the ENI (the pod addresses in shared modes)
 * @param pool the SubnetPool whose pods get this ENI's IPs ({@code ""}: the default pool)
 */
public record EniSpec(
    String id,
    MacAddress mac,
    int deviceIndex,
    IpPrefix subnet,
    IpAddress gateway,
    IpAddress primaryIp,
    List<IpAddress> ips,
    String pool) {
  public EniSpec {
    ips = List.copyOf(ips);
    pool = pool == null ? "" : pool;
  }

  /** An ENI of the default pool. */
  public EniSpec(
      String id,
      MacAddress mac,
      int deviceIndex,
      IpPrefix subnet,
      IpAddress gateway,
      IpAddress primaryIp,
      List<IpAddress> ips) {
    this(id, mac, deviceIndex, subnet, gateway, primaryIp, ips, "");
  }
}
