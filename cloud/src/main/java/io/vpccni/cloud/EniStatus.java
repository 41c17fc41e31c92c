package io.vpccni.cloud;

/**
 * The attachment state of an ENI, as EC2 names it (Neutron: DOWN/ACTIVE with or without device).
 */
public enum EniStatus {
  /** Not attached to any instance. */
  AVAILABLE,
  /** Attach requested, not yet complete. */
  ATTACHING,
  /** Attached to an instance. */
  IN_USE,
  /** Detach requested, not yet complete. */
  DETACHING
}
