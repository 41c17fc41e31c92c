package io.vpccni.cli;

import java.util.List;
import java.util.Optional;

/**
 * Published network limits of instance types, for {@code max-pods}: ENIs per instance (the primary
 * included) and IPv4 addresses per ENI (the ENI's primary address included), the units of NodeENI
 * {@code spec.maxEnis}/{@code spec.ipsPerEni} and of the emulator's catalogue. A test keeps this
 * table in agreement with the emulator's {@code InstanceType.CATALOGUE} and cloud-testkit's types.
 */
public record InstanceLimits(String name, int maxEnis, int ipsPerEni) {

  /** AWS EC2's published limits (ENIs × IPv4 addresses per ENI). */
  public static final List<InstanceLimits> TABLE =
      List.of(
          new InstanceLimits("t3.micro", 2, 2),
          new InstanceLimits("t3.small", 3, 4),
          new InstanceLimits("t3.medium", 3, 6),
          new InstanceLimits("t3.large", 3, 12),
          new InstanceLimits("t3.xlarge", 4, 15),
          new InstanceLimits("t3.2xlarge", 4, 15),
          new InstanceLimits("m5.large", 3, 10),
          new InstanceLimits("m5.xlarge", 4, 15),
          new InstanceLimits("m5.2xlarge", 4, 15),
          new InstanceLimits("m5.4xlarge", 8, 30),
          new InstanceLimits("m5.8xlarge", 8, 30),
          new InstanceLimits("m5.12xlarge", 8, 30),
          new InstanceLimits("m5.16xlarge", 15, 50),
          new InstanceLimits("m5.24xlarge", 15, 50),
          new InstanceLimits("c5.large", 3, 10),
          new InstanceLimits("c5.xlarge", 4, 15),
          new InstanceLimits("c5.2xlarge", 4, 15),
          new InstanceLimits("c5.4xlarge", 8, 30),
          new InstanceLimits("c5.9xlarge", 8, 30),
          new InstanceLimits("c5.18xlarge", 15, 50),
          new InstanceLimits("r5.large", 3, 10),
          new InstanceLimits("r5.xlarge", 4, 15),
          new InstanceLimits("r5.2xlarge", 4, 15),
          new InstanceLimits("r5.4xlarge", 8, 30));

  public static Optional<InstanceLimits> byName(String name) {
    return TABLE.stream().filter(t -> t.name.equals(name)).findFirst();
  }

  /**
   * Pods that need a VPC address: {@code (maxEnis-1) × (ipsPerEni-1)} secondary IPs in the shared
   * modes, {@code maxEnis-1} ENIs in exclusive mode; the primary ENI carries none.
   */
  public static long podIps(boolean exclusive, int maxEnis, int ipsPerEni) {
    return exclusive ? maxEnis - 1L : (maxEnis - 1L) * (ipsPerEni - 1L);
  }
}
