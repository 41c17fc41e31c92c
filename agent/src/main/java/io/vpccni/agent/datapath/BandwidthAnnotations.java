package io.vpccni.agent.datapath;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;
import java.util.Optional;

/**
 * A pod's bandwidth limits from its annotations, merged with those of the CNI {@code
 * runtimeConfig.bandwidth}. Per direction, the first that is set wins:
 *
 * <ol>
 *   <li>{@code vpc-cni.io/ingress-bandwidth}, {@code vpc-cni.io/egress-bandwidth}: asked of this
 *       plugin by name, so they override everything else;
 *   <li>{@code runtimeConfig.bandwidth} (with its bursts): what the runtime passes when the
 *       conflist declares the {@code bandwidth} capability; it derives it from the next two, so it
 *       already is the pod's {@code kubernetes.io} value, in the form the runtime checked;
 *   <li>{@code kubernetes.io/ingress-bandwidth}, {@code kubernetes.io/egress-bandwidth}: the
 *       standard annotations, read by the agent itself when the runtime passed nothing (a conflist
 *       without the capability), so they work either way.
 * </ol>
 *
 * <p>Values use Kubernetes' quantity syntax, in bits per second: {@code 10M}, {@code 1G}, {@code
 * 500k}, {@code 1Mi}, {@code 2.5M}, {@code 1e6}. A value out of 1k..1P (Kubernetes' own bounds) or
 * not a quantity is refused, naming the annotation.
 */
public final class BandwidthAnnotations {
  public static final String VPCCNI_INGRESS = "vpc-cni.io/ingress-bandwidth";
  public static final String VPCCNI_EGRESS = "vpc-cni.io/egress-bandwidth";
  public static final String K8S_INGRESS = "kubernetes.io/ingress-bandwidth";
  public static final String K8S_EGRESS = "kubernetes.io/egress-bandwidth";

  /** A bad annotation: its message names the annotation and says what is wrong. */
  public static final class InvalidAnnotationException extends Exception {
    InvalidAnnotationException(String annotation, String value, String why) {
      super("pod annotation " + annotation + ": " + why + ", not \"" + value + "\"");
    }
  }

  private BandwidthAnnotations() {}

  /**
   * The limits to apply.
   *
   * @param annotations the pod's annotations (null or empty: none)
   * @param runtimeConfig the limits of {@code runtimeConfig.bandwidth}, if any
   * @throws InvalidAnnotationException for any bandwidth annotation that is set but not a valid
   *     rate, even one a higher-precedence source overrides (a typo never lies in wait)
   */
  public static Optional<Bandwidth> merge(
      Map<String, String> annotations, Optional<Bandwidth> runtimeConfig)
      throws InvalidAnnotationException {
    Map<String, String> a = annotations == null ? Map.of() : annotations;
    long vIn = rate(a, VPCCNI_INGRESS);
    long vOut = rate(a, VPCCNI_EGRESS);
    long kIn = rate(a, K8S_INGRESS);
    long kOut = rate(a, K8S_EGRESS);
    Bandwidth rc = runtimeConfig.orElse(new Bandwidth(0, 0, 0, 0));
    long in;
    long inBurst = 0;
    if (vIn > 0) {
      in = vIn;
    } else if (rc.limitsIngress()) {
      in = rc.ingressRate();
      inBurst = rc.ingressBurst();
    } else {
      in = kIn;
    }
    long out;
    long outBurst = 0;
    if (vOut > 0) {
      out = vOut;
    } else if (rc.limitsEgress()) {
      out = rc.egressRate();
      outBurst = rc.egressBurst();
    } else {
      out = kOut;
    }
    if (in == 0 && out == 0) {
      return Optional.empty();
    }
    return Optional.of(new Bandwidth(in, inBurst, out, outBurst));
  }

  /** The annotation's rate in bit/s, 0 when it is absent. */
  static long rate(Map<String, String> annotations, String annotation)
      throws InvalidAnnotationException {
    String v = annotations.get(annotation);
    if (v == null) {
      return 0;
    }
    long bits;
    try {
      bits = parseQuantity(v.strip());
    } catch (IllegalArgumentException e) {
      throw new InvalidAnnotationException(
          annotation,
          v,
          "must be a rate in bits per second in Kubernetes quantity form, such as 10M, 1G or 500k");
    }
    if (bits < Bandwidth.MIN_RATE || bits > Bandwidth.MAX_RATE) {
      throw new InvalidAnnotationException(
          annotation, v, "must be a rate from 1k to 1P bits per second");
    }
    return bits;
  }

  /**
   * A Kubernetes quantity as a whole number, rounded up as Kubernetes' {@code Quantity.Value()}
   * does: decimal digits with an optional fraction, then a decimal suffix ({@code m k M G T P E}),
   * a binary one ({@code Ki Mi Gi Ti Pi Ei}) or an exponent ({@code e6}, {@code E6}).
   *
   * @throws IllegalArgumentException when it is not one, or is negative or too large
   */
  public static long parseQuantity(String s) {
    int i = 0;
    if (i < s.length() && s.charAt(i) == '+') {
      i++;
    }
    int start = i;
    while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
      i++;
    }
    String number = s.substring(start, i);
    if (!number.matches("[0-9]*\\.?[0-9]*") || !number.matches(".*[0-9].*")) {
      throw new IllegalArgumentException("not a quantity: " + s);
    }
    BigDecimal value = new BigDecimal(number);
    String suffix = s.substring(i);
    BigDecimal multiplier =
        switch (suffix) {
          case "" -> BigDecimal.ONE;
          case "m" -> new BigDecimal("0.001");
          case "k" -> BigDecimal.TEN.pow(3);
          case "M" -> BigDecimal.TEN.pow(6);
          case "G" -> BigDecimal.TEN.pow(9);
          case "T" -> BigDecimal.TEN.pow(12);
          case "P" -> BigDecimal.TEN.pow(15);
          case "E" -> BigDecimal.TEN.pow(18);
          case "Ki" -> BigDecimal.valueOf(2).pow(10);
          case "Mi" -> BigDecimal.valueOf(2).pow(20);
          case "Gi" -> BigDecimal.valueOf(2).pow(30);
          case "Ti" -> BigDecimal.valueOf(2).pow(40);
          case "Pi" -> BigDecimal.valueOf(2).pow(50);
          case "Ei" -> BigDecimal.valueOf(2).pow(60);
          default -> exponent(suffix, s);
        };
    BigDecimal whole = value.multiply(multiplier).setScale(0, RoundingMode.CEILING);
    if (whole.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
      throw new IllegalArgumentException("too large: " + s);
    }
    return whole.longValueExact();
  }

  private static BigDecimal exponent(String suffix, String s) {
    if (suffix.length() < 2 || (suffix.charAt(0) != 'e' && suffix.charAt(0) != 'E')) {
      throw new IllegalArgumentException("not a quantity: " + s);
    }
    String exp = suffix.substring(1);
    if (!exp.matches("[+-]?[0-9]{1,3}")) {
      throw new IllegalArgumentException("not a quantity: " + s);
    }
    int e = Integer.parseInt(exp);
    if (e > 30 || e < -30) {
      throw new IllegalArgumentException("exponent out of range: " + s);
    }
    return BigDecimal.ONE.scaleByPowerOfTen(e);
  }
}
