package io.vpccni.crd;

import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Written by the node's agent only. */
public class NodeEniStatus {
  /** IPs held by pods (the controller never unassigns these). */
  public List<String> inUse = new ArrayList<>();

  /** IPs released less than the cooldown ago (not free yet, not to be unassigned either). */
  public List<String> cooling = new ArrayList<>();

  public int free;

  /**
   * Fixed IPs (IPReservations) on this node's ENIs that no pod holds now: kept for their pods, so
   * neither free nor to be unassigned by the pool loop (only a move of the reservation takes them).
   */
  public List<String> reserved = new ArrayList<>();

  /** Of the spec's {@code releaseIps}, those that no pod holds or cools: safe to unassign. */
  public List<String> releaseReady = new ArrayList<>();

  /** ADDs that found no free IP since the last status write: how many IPs the node lacks. */
  public int demand;

  /**
   * The same demand by SubnetPool name ({@code ""} is the default pool); absent or empty means all
   * of {@link #demand} is the default pool's (an agent older than SubnetPools).
   */
  public Map<String, Integer> demandByPool = new TreeMap<>();

  /** metadata.generation of the spec the agent last applied. */
  public Long observedGeneration;

  /** {@code Ready} (the agent applied the spec), {@code PoolExhausted}. */
  public List<Condition> conditions = new ArrayList<>();
}
