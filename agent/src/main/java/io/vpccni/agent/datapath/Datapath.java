package io.vpccni.agent.datapath;

import io.vpccni.agent.config.EniSpec;
import io.vpccni.agent.store.Allocation;
import io.vpccni.agentapi.JsonObject;

/**
 * Builds, checks and removes one pod's network attachment for one mode (ARCHITECTURE.md, Modes).
 * Implementations hold no per-pod state: everything needed for teardown is in the {@link
 * Allocation} or derived from it, so DEL works after a restart.
 */
public interface Datapath {
  /**
   * Builds the attachment and returns the CNI result (cniVersion 1.1.0 shape, without {@code
   * cniVersion}). On failure, what was built is left for {@link #teardown} (the caller calls it).
   *
   * @return the result, and possibly an updated allocation via {@link Setup#allocation()}
   */
  Setup setup(PodRequest req, Allocation alloc, EniSpec eni, Steps steps) throws DatapathException;

  /**
   * Called before {@link #setup}; the returned allocation is stored durably before setup starts
   * (exclusive mode records the ENI's interface name here, so DEL can restore it after a crash).
   */
  default Allocation prepare(Allocation alloc, EniSpec eni) throws DatapathException {
    return alloc;
  }

  /**
   * Removes every trace of the attachment. Idempotent: missing pieces are skipped.
   *
   * @param eni the ENI that owns the IP, or null if the ENI source no longer lists it
   */
  void teardown(Allocation alloc, EniSpec eni);

  /** Verifies the attachment is as {@link #setup} built it; the message names what is wrong. */
  void check(Allocation alloc, EniSpec eni) throws DatapathException;

  /** The result {@link #setup} returned, rebuilt from the live interfaces (for a repeated ADD). */
  JsonObject result(Allocation alloc, EniSpec eni) throws DatapathException;

  /** Outcome of a setup: the result and the allocation as it must now be stored. */
  record Setup(JsonObject result, Allocation allocation) {}
}
