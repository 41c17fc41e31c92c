package io.vpccni.agent.datapath;

import io.vpccni.agentapi.FieldException;
import io.vpccni.agentapi.JsonObject;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A pod's bandwidth limits in bits per second, from the CNI {@code runtimeConfig.bandwidth}
 * capability (what containerd and CRI-O pass from the pod annotations {@code
 * kubernetes.io/ingress-bandwidth} and {@code kubernetes.io/egress-bandwidth} when the conflist
 * declares {@code "capabilities": {"bandwidth": true}}). Ingress is traffic to the pod, egress
 * traffic from it. Bursts are in bits, as in the CNI bandwidth plugin; one larger than a second at
 * the rate (the kubelet passes 2^31-1 when the pod sets none) is treated as unset.
 */
public record Bandwidth(long ingressRate, long ingressBurst, long egressRate, long egressBurst) {

  /** Kubernetes' bounds for the bandwidth annotations: 1 kbit/s to 1 Pbit/s. */
  public static final long MIN_RATE = 1_000;

  public static final long MAX_RATE = 1_000_000_000_000_000L;

  public boolean limitsIngress() {
    return ingressRate > 0;
  }

  public boolean limitsEgress() {
    return egressRate > 0;
  }

  /**
   * The limits in {@code config.runtimeConfig.bandwidth}, empty when there are none.
   *
   * @throws FieldException naming the field, for a value that is not a whole number in range
   */
  public static Optional<Bandwidth> fromConfig(JsonObject config) {
    Optional<JsonObject> rc = config.optObject("runtimeConfig");
    if (rc.isEmpty()) {
      return Optional.empty();
    }
    Optional<JsonObject> bw = rc.get().optObject("bandwidth");
    if (bw.isEmpty()) {
      return Optional.empty();
    }
    JsonObject b = bw.get();
    long in = rate(b, "ingressRate");
    long out = rate(b, "egressRate");
    long inBurst = burst(b, "ingressBurst");
    long outBurst = burst(b, "egressBurst");
    if (in == 0 && out == 0) {
      return Optional.empty();
    }
    return Optional.of(new Bandwidth(in, inBurst, out, outBurst));
  }

  private static long rate(JsonObject b, String key) {
    long v = b.optInteger(key).orElse(0L);
    if (v != 0 && (v < MIN_RATE || v > MAX_RATE)) {
      throw b.invalid(
          key,
          "must be a rate in bits per second from " + MIN_RATE + " to " + MAX_RATE + ", not " + v);
    }
    return v;
  }

  private static long burst(JsonObject b, String key) {
    long v = b.optInteger(key).orElse(0L);
    if (v < 0) {
      throw b.invalid(key, "must be a burst in bits, zero or more, not " + v);
    }
    return v;
  }

  /** The burst in bytes to use for a rate, or empty for the default sizing. */
  public static OptionalLong burstBytes(long rate, long burstBits) {
    if (burstBits <= 0 || burstBits > rate) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(burstBits / 8);
  }
}
