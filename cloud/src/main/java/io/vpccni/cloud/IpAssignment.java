package io.vpccni.cloud;

import io.vpccni.netaddr.IpAddress;
import java.util.List;

/**
 * What {@link VpcApi#assignIps} assigns: either {@link #count} addresses the cloud picks, or the
 * {@link #addresses} named (fixed IPs for StatefulSet pods).
 */
public sealed interface IpAssignment {

  /** {@code n >= 1} addresses chosen by the cloud. */
  static IpAssignment count(int n) {
    return new Count(n);
  }

  /** Exactly these addresses (at least one). */
  static IpAssignment of(List<IpAddress> addresses) {
    return new Specific(addresses);
  }

  /** How many addresses this asks for. */
  int size();

  /** Let the cloud choose {@code n} addresses. */
  record Count(int n) implements IpAssignment {
    public Count {
      if (n < 1) {
        throw new IllegalArgumentException("IP count must be >= 1, not " + n);
      }
    }

    @Override
    public int size() {
      return n;
    }

    @Override
    public String toString() {
      return n + " IPs";
    }
  }

  /** Assign exactly these addresses. */
  record Specific(List<IpAddress> addresses) implements IpAssignment {
    public Specific {
      addresses = List.copyOf(addresses);
      if (addresses.isEmpty()) {
        throw new IllegalArgumentException("no IP addresses given");
      }
      if (addresses.stream().distinct().count() != addresses.size()) {
        throw new IllegalArgumentException("IP addresses repeat: " + addresses);
      }
    }

    @Override
    public int size() {
      return addresses.size();
    }

    @Override
    public String toString() {
      return addresses.toString();
    }
  }
}
