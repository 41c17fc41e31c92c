package io.vpccni.netlink;

/** Probes for the optional link kinds the datapaths use. */
public final class KernelProbes {
  private KernelProbes() {}

  public static final Probe IPVLAN = null; // TODO netlink
  public static final Probe VLAN = null; // TODO netlink
  public static final Probe MACVLAN = null; // TODO netlink
}
