package io.vpccni.controller.plan;

import java.time.Duration;

/**
 * A node's warm-pool settings.
 *
 * @param warmIps free IPs to keep ready beyond those in use, cooling, or waited for
 * @param minIps never hold fewer pod IPs than this
 * @param maxIps never hold more pod IPs than this (0 = the instance type's capacity)
 * @param warmEnis spare ENIs with no pod to keep attached (for fast bursts)
 * @param releaseHighWatermark free IPs above the warm target that are tolerated before releasing
 *     any (hysteresis: a pod churn of this size never causes cloud calls)
 * @param releaseDelay how long an excess must last before it is released
 * @param batch the most IPs one assign call requests
 */
public record WarmPoolConfig(
    int warmIps,
    int minIps,
    int maxIps,
    int warmEnis,
    int releaseHighWatermark,
    Duration releaseDelay,
    int batch) {
  public WarmPoolConfig {
    if (warmIps < 0
        || minIps < 0
        || maxIps < 0
        || warmEnis < 0
        || releaseHighWatermark < 0
        || batch < 1) {
      throw new IllegalArgumentException(
          "warm-pool settings must not be negative and batch must be at least 1");
    }
    if (maxIps > 0 && minIps > maxIps) {
      throw new IllegalArgumentException("minIps " + minIps + " exceeds maxIps " + maxIps);
    }
    if (releaseDelay == null || releaseDelay.isNegative()) {
      throw new IllegalArgumentException("releaseDelay must be zero or positive");
    }
  }

  public static WarmPoolConfig defaults() {
    return new WarmPoolConfig(5, 0, 0, 0, 5, Duration.ofMinutes(5), 10);
  }
}
