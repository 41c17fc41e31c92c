package io.vpccni.cloud.testkit;

import io.vpccni.cloud.CloudException;
import io.vpccni.cloud.VpcApi;
import io.vpccni.cloud.spi.VpcApiProvider;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Provider {@code fake}: a {@link FakeVpcApi} set up from settings, for wiring tests of the
 * controller's {@code *Main}.
 *
 * <ul>
 *   <li>{@code subnet.<id>=<cidr>[@<zone>]}, e.g. {@code subnet.subnet-a=10.0.0.0/24@zone-a}
 *   <li>{@code instance.<id>=<type>@<subnetId>}, e.g. {@code instance.i-1=m5.large@subnet-a}, with
 *       type one of t3.micro, m5.large, c5.xlarge, m5.4xlarge
 * </ul>
 */
public final class FakeVpcApiProvider implements VpcApiProvider {
  private static final Map<String, InstanceType> TYPES =
      Map.of(
          InstanceType.T3_MICRO.name(), InstanceType.T3_MICRO,
          InstanceType.M5_LARGE.name(), InstanceType.M5_LARGE,
          InstanceType.C5_XLARGE.name(), InstanceType.C5_XLARGE,
          InstanceType.M5_4XLARGE.name(), InstanceType.M5_4XLARGE);

  @Override
  public String name() {
    return "fake";
  }

  @Override
  public VpcApi create(Map<String, String> settings) {
    var fake = new FakeVpcApi();
    var sorted = new TreeMap<>(settings);
    sorted.forEach(
        (key, value) -> {
          if (key.startsWith("subnet.")) {
            String[] cidrZone = value.split("@", 2);
            try {
              fake.addSubnet(key.substring(7), cidrZone[0], cidrZone.length > 1 ? cidrZone[1] : "");
            } catch (IllegalArgumentException e) {
              throw invalid(key, value, e.getMessage());
            }
          } else if (!key.startsWith("instance.")) {
            throw invalid(key, value, "unknown setting; the fake takes subnet.* and instance.*");
          }
        });
    sorted.forEach(
        (key, value) -> {
          if (key.startsWith("instance.")) {
            String[] typeSubnet = value.split("@", 2);
            InstanceType type = TYPES.get(typeSubnet[0]);
            if (type == null || typeSubnet.length < 2) {
              throw invalid(
                  key, value, "expected <type>@<subnetId>, type one of " + TYPES.keySet());
            }
            try {
              fake.addInstance(key.substring(9), type, typeSubnet[1], List.of());
            } catch (IllegalArgumentException e) {
              throw invalid(key, value, e.getMessage());
            }
          }
        });
    return fake;
  }

  private static CloudException invalid(String key, String value, String why) {
    return new CloudException(
        CloudException.Reason.INVALID_REQUEST,
        "create cloud provider fake",
        "setting " + key + "=\"" + value + "\": " + why);
  }
}
