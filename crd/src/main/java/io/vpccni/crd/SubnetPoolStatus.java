package io.vpccni.crd;

import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** Written by the controller only. */
public class SubnetPoolStatus {
  /** One entry per subnet of the spec, as the cloud last described it. */
  public List<Subnet> subnets = new ArrayList<>();

  /** {@code Ready} (every subnet exists), {@code Exhausted} (no subnet has a free address). */
  public List<Condition> conditions = new ArrayList<>();

  /** One subnet as the cloud described it. */
  public static class Subnet {
    public String id;
    public String cidr;
    public String zone;

    /** Free addresses as the cloud counts them (cached: at most as old as the controller's TTL). */
    public long free;

    /** Why the subnet could not be described, or null. */
    public String error;
  }
}
