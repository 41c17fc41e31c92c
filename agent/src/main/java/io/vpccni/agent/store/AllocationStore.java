package io.vpccni.agent.store;

import java.io.IOException;

/**
 * Durable storage of the node's {@link StoreState}. {@link #save} returns only once it is durable.
 */
public interface AllocationStore {
  StoreState load() throws IOException;

  void save(StoreState state) throws IOException;
}
