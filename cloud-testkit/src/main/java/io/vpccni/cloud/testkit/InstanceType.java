package io.vpccni.cloud.testkit;

import java.util.Objects;

/**
 * An instance type's network limits for {@link FakeVpcApi}.
 *
 * @param name e.g. {@code m5.large}
 * @param eniQuota ENIs the instance can hold, the primary included
 * @param ipsPerEni secondary IPs per ENI, the ENI's primary IP not counted (so AWS's "IPv4
 *     addresses per interface" minus one)
 */
public record InstanceType(String name, int eniQuota, int ipsPerEni) {

  /** AWS t3.micro: 2 ENIs × 2 IPv4 addresses each. */
  public static final InstanceType T3_MICRO = new InstanceType("t3.micro", 2, 1);

  /** AWS m5.large: 3 ENIs × 10 IPv4 addresses each. */
  public static final InstanceType M5_LARGE = new InstanceType("m5.large", 3, 9);

  /** AWS c5.xlarge: 4 ENIs × 15 IPv4 addresses each. */
  public static final InstanceType C5_XLARGE = new InstanceType("c5.xlarge", 4, 14);

  /** AWS m5.4xlarge: 8 ENIs × 30 IPv4 addresses each. */
  public static final InstanceType M5_4XLARGE = new InstanceType("m5.4xlarge", 8, 29);

  public InstanceType {
    Objects.requireNonNull(name, "name");
    if (eniQuota < 1 || ipsPerEni < 0) {
      throw new IllegalArgumentException(
          "instance type " + name + ": eniQuota >= 1 and ipsPerEni >= 0 required");
    }
  }
}
