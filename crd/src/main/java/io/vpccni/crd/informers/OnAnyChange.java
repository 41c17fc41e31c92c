package io.vpccni.crd.informers;

import io.fabric8.kubernetes.client.informers.ResourceEventHandler;

/**
 * A watch handler that runs one action on every add, update and delete: for the loops that re-read
 * their informer's cache on any change (the fixed-IP loops, NetworkPolicy's recompute).
 */
public record OnAnyChange<T>(Runnable action) implements ResourceEventHandler<T> {
  @Override
  public void onAdd(T obj) {
    action.run();
  }

  @Override
  public void onUpdate(T oldObj, T newObj) {
    action.run();
  }

  @Override
  public void onDelete(T obj, boolean deletedFinalStateUnknown) {
    action.run();
  }
}
