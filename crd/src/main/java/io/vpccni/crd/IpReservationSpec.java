package io.vpccni.crd;

/** Written once, by the agent that created the reservation. */
public class IpReservationSpec {
  /** The reserved address. */
  public String ip;

  /** Its VPC subnet: a move keeps the address in this subnet. */
  public String subnetId;

  /** The SubnetPool of the ENI that held it first ({@code ""}: the default pool). */
  public String pool = "";

  /** How long the address is kept after its pod is gone, as "10m", "1h30m" ({@link Durations}). */
  public String ttl;
}
