package io.vpccni.agent.cni;

/** CNI error codes the agent answers with: the spec's (below 100) and ours (100 and up). */
public final class CniErrors {
  private CniErrors() {}

  /** Spec: invalid necessary environment variables (CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME). */
  public static final int INVALID_ENV = 4;

  /** Spec: invalid network config. */
  public static final int INVALID_CONFIG = 7;

  /** Spec: try again later (the pool is empty now but may refill, the agent is busy). */
  public static final int TRY_AGAIN = 11;

  /** Spec (STATUS): the plugin cannot serve ADD now. */
  public static final int NOT_AVAILABLE = 50;

  /** Ours: the agent's own failure (store not writable, unexpected error). */
  public static final int INTERNAL = 100;

  /** Ours: CHECK found no attachment for this container and interface. */
  public static final int UNKNOWN_ATTACHMENT = 101;

  /** Ours: protocol version or verb the agent does not serve. */
  public static final int UNSUPPORTED_REQUEST = 102;
}
