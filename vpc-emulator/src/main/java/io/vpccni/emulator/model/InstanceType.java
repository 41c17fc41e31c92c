package io.vpccni.emulator.model;

import java.util.List;
import java.util.Optional;

/**
 * An instance type with its network limits: how many ENIs (ports) can be attached, including the
 * primary one, and how many IPv4 addresses each ENI can carry, including its primary address. The
 * catalogue uses the published AWS EC2 limits of real types so that pool sizing meets realistic
 * numbers.
 */
public record InstanceType(String name, int maxEnis, int ipsPerEni) {

  /** Published EC2 limits (ENIs × IPv4 addresses per ENI). */
  public static final List<InstanceType> CATALOGUE =
      List.of(
          new InstanceType("t3.medium", 3, 6),
          new InstanceType("t3.large", 3, 12),
          new InstanceType("m5.large", 3, 10),
          new InstanceType("m5.xlarge", 4, 15),
          new InstanceType("m5.2xlarge", 4, 15),
          new InstanceType("m5.4xlarge", 8, 30),
          new InstanceType("m5.12xlarge", 8, 30),
          new InstanceType("m5.24xlarge", 15, 50),
          new InstanceType("c5.large", 3, 10),
          new InstanceType("c5.xlarge", 4, 15),
          new InstanceType("c5.4xlarge", 8, 30),
          new InstanceType("c5.18xlarge", 15, 50),
          new InstanceType("r5.large", 3, 10));

  public InstanceType {
    if (maxEnis < 1 || ipsPerEni < 1) {
      throw new IllegalArgumentException(
          "instance type " + name + ": maxEnis and ipsPerEni must be at least 1");
    }
  }

  public static Optional<InstanceType> byName(String name) {
    return CATALOGUE.stream().filter(t -> t.name.equals(name)).findFirst();
  }
}
