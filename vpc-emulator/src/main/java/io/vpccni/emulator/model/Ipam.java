package io.vpccni.emulator.model;

import io.vpccni.netaddr.IpAddress;
import io.vpccni.netaddr.IpPrefix;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * IPv4 address allocation of one subnet: which address belongs to which port. Like Neutron's
 * built-in IPAM, an automatic allocation picks at random among the first few free addresses of the
 * pools rather than always the lowest, so clients cannot come to rely on an order. Not thread-safe:
 * {@link Vpc} calls it under its lock.
 */
final class Ipam {
  private static final int CANDIDATES = 16;

  private final Subnet subnet;
  private final IpPrefix cidr;
  private final Map<String, String> owners = new HashMap<>();
  private final RandomGenerator random;

  Ipam(Subnet subnet, RandomGenerator random) {
    this.subnet = subnet;
    this.cidr = IpPrefix.parse(subnet.cidr);
    this.random = random;
  }

  boolean contains(String ip) {
    return cidr.contains(IpAddress.parse(ip));
  }

  String owner(String ip) {
    return owners.get(canonical(ip));
  }

  /** Claims a given address for a port; an address inside the CIDR but outside pools is allowed. */
  String claim(String ip, String portId) {
    IpAddress address;
    try {
      address = IpAddress.parse(ip);
    } catch (IllegalArgumentException e) {
      throw VpcException.badRequest("Invalid input for fixed_ips: '" + ip + "' is not a valid IP");
    }
    if (!cidr.contains(address)) {
      throw new VpcException(
          400,
          "InvalidIpForSubnet",
          "IP address " + ip + " is not a valid IP for the specified subnet.");
    }
    String key = address.toString();
    String owner = owners.get(key);
    if (owner != null && !owner.equals(portId)) {
      throw VpcException.conflict(
          "IpAddressAlreadyAllocated",
          "IP address " + key + " already allocated in subnet " + subnet.id);
    }
    owners.put(key, portId);
    return key;
  }

  /** Allocates a free pool address for a port. */
  String allocate(String portId) {
    List<IpAddress> free = new ArrayList<>(CANDIDATES);
    for (Subnet.Pool pool : subnet.allocationPools) {
      int start = IpAddress.parse(pool.start()).toV4Int();
      int end = IpAddress.parse(pool.end()).toV4Int();
      for (long a = Integer.toUnsignedLong(start);
          a <= Integer.toUnsignedLong(end) && free.size() < CANDIDATES;
          a++) {
        IpAddress ip = IpAddress.ofV4((int) a);
        if (!owners.containsKey(ip.toString()) && !ip.toString().equals(subnet.gatewayIp)) {
          free.add(ip);
        }
      }
    }
    if (free.isEmpty()) {
      throw VpcException.conflict(
          "IpAddressGenerationFailure",
          "No more IP addresses available on network " + subnet.networkId + ".");
    }
    String ip = free.get(random.nextInt(free.size())).toString();
    owners.put(ip, portId);
    return ip;
  }

  void release(String ip, String portId) {
    owners.remove(canonical(ip), portId);
  }

  long totalIps() {
    long total = 0;
    for (Subnet.Pool pool : subnet.allocationPools) {
      total +=
          Integer.toUnsignedLong(IpAddress.parse(pool.end()).toV4Int())
              - Integer.toUnsignedLong(IpAddress.parse(pool.start()).toV4Int())
              + 1;
    }
    return total;
  }

  long usedIps() {
    return owners.size();
  }

  private static String canonical(String ip) {
    try {
      return IpAddress.parse(ip).toString();
    } catch (IllegalArgumentException e) {
      return ip;
    }
  }
}
