package io.vpccni.agent.datapath.ipvlan;

import io.vpccni.agent.config.EniSpec;
import io.vpccni.agent.datapath.Datapath;
import io.vpccni.agent.datapath.DatapathException;
import io.vpccni.agent.datapath.PodRequest;
import io.vpccni.agent.datapath.Steps;
import io.vpccni.agent.store.Allocation;
import io.vpccni.agentapi.JsonObject;
import io.vpccni.netlink.KernelProbes;
import io.vpccni.netlink.Probe;

/**
 * Shared-ENI mode on ipvlan L2 slaves of the ENI. It needs kernel ipvlan support, which is probed
 * when the agent starts: where it is missing (as on this project's test machines) the agent refuses
 * the mode with the probe's cause instead of failing pod by pod. The pod-side datapath for kernels
 * that have ipvlan is not written yet; until it is, this mode is refused everywhere with a message
 * that says so, rather than half-working.
 */
public final class IpvlanDatapath implements Datapath {
  private IpvlanDatapath() {}

  /**
   * @throws DatapathException with code {@link DatapathException#UNSUPPORTED} naming what is
   *     missing
   */
  public static IpvlanDatapath create() throws DatapathException {
    Probe p = KernelProbes.IPVLAN;
    if (!p.isAvailable()) {
      throw new DatapathException(
          DatapathException.UNSUPPORTED,
          "mode \"ipvlan\" needs kernel ipvlan support, which this node lacks ("
              + p.unavailabilityCause().getMessage()
              + "); use mode \"shared\" (veth) or \"exclusive\"");
    }
    throw new DatapathException(
        DatapathException.UNSUPPORTED,
        "mode \"ipvlan\": the kernel has ipvlan, but this vpc-cni build does not implement the ipvlan datapath yet; use mode \"shared\"");
  }

  @Override
  public Setup setup(PodRequest req, Allocation alloc, EniSpec eni, Steps steps)
      throws DatapathException {
    throw new DatapathException(DatapathException.UNSUPPORTED, "ipvlan datapath is not available");
  }

  @Override
  public void teardown(Allocation alloc, EniSpec eni) {}

  @Override
  public void check(Allocation alloc, EniSpec eni) throws DatapathException {
    throw new DatapathException(DatapathException.UNSUPPORTED, "ipvlan datapath is not available");
  }

  @Override
  public JsonObject result(Allocation alloc, EniSpec eni) throws DatapathException {
    throw new DatapathException(DatapathException.UNSUPPORTED, "ipvlan datapath is not available");
  }
}
