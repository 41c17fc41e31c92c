package io.vpccni.cloud.openstack.api;

import io.vpccni.netaddr.IpAddress;
import java.util.Objects;

/** One range of a subnet's {@code allocation_pools}, both ends included. */
public record AllocationPool(IpAddress start, IpAddress end) {
  public AllocationPool {
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(end, "end");
  }

  @Override
  public String toString() {
    return start + "-" + end;
  }
}
