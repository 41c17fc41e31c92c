package io.vpccni.cloud.openstack;

import io.vpccni.cloud.openstack.api.AllocationPool;
import io.vpccni.cloud.openstack.api.FixedIp;
import io.vpccni.cloud.openstack.api.Port;
import io.vpccni.cloud.openstack.api.Subnet;
import io.vpccni.netaddr.IpAddress;
import java.math.BigInteger;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Free addresses of a subnet where Neutron has no {@code network-ip-availability}: the sizes of its
 * allocation pools minus the fixed IPs of its ports that fall inside a pool (as that extension
 * counts them).
 */
final class SubnetCounter {
  private SubnetCounter() {}

  static long free(Subnet subnet, List<Port> ports) {
    BigInteger total = BigInteger.ZERO;
    for (AllocationPool pool : subnet.allocationPools()) {
      total = total.add(value(pool.end()).subtract(value(pool.start())).add(BigInteger.ONE));
    }
    Set<IpAddress> used = new HashSet<>();
    for (Port p : ports) {
      for (FixedIp ip : p.fixedIps()) {
        if (subnet.id().equals(ip.subnetId())
            && ip.ipAddress() != null
            && inPools(subnet, ip.ipAddress())) {
          used.add(ip.ipAddress());
        }
      }
    }
    BigInteger free = total.subtract(BigInteger.valueOf(used.size()));
    return free.signum() < 0 ? 0 : free.min(BigInteger.valueOf(Long.MAX_VALUE)).longValue();
  }

  private static boolean inPools(Subnet subnet, IpAddress ip) {
    BigInteger v = value(ip);
    for (AllocationPool pool : subnet.allocationPools()) {
      if (v.compareTo(value(pool.start())) >= 0 && v.compareTo(value(pool.end())) <= 0) {
        return true;
      }
    }
    return false;
  }

  private static BigInteger value(IpAddress ip) {
    return new BigInteger(1, ip.toBytes());
  }
}
