package io.vpccni.agent.store;

import io.vpccni.netaddr.IpAddress;
import java.util.Map;

/**
 * Everything the agent must not lose: the attachments and the IPs resting in cooldown (IP → epoch
 * ms at which it may be handed out again). An immutable snapshot.
 */
public record StoreState(
    Map<Allocation.Key, Allocation> allocations, Map<IpAddress, Long> cooldown) {
  public StoreState {
    allocations = Map.copyOf(allocations);
    cooldown = Map.copyOf(cooldown);
  }

  public static StoreState empty() {
    return new StoreState(Map.of(), Map.of());
  }
}
