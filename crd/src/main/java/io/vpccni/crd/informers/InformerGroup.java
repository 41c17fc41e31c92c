package io.vpccni.crd.informers;

import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The informers one component started, closed together. Starting and closing may race: the
 * controller's pool loop starts on the leader-election thread while SIGTERM closes it, the agent's
 * NetworkPolicy watches start on their own thread while the shutdown hook runs. An informer added
 * after {@link #close()} is closed at once, so nothing keeps watching, and calling back, after its
 * owner was closed; {@link #close()} never fails because a start is adding at the same moment.
 */
public final class InformerGroup implements AutoCloseable {
  private final List<SharedIndexInformer<?>> informers = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

  /**
   * Keeps {@code informer} to close with the group; closes it now when the group already is.
   * Returns it.
   */
  public <T> SharedIndexInformer<T> add(SharedIndexInformer<T> informer) {
    informers.add(informer);
    // close() sets closed before it reads the list; this reads closed after writing the list:
    // one of the two sees the other, so the informer is closed by at least one of them
    if (closed) {
      informer.close();
    }
    return informer;
  }

  /** Whether {@link #close()} has been called. */
  public boolean closed() {
    return closed;
  }

  /** The informers added so far, in order. */
  public List<SharedIndexInformer<?>> informers() {
    return List.copyOf(informers);
  }

  /** Closes every informer added, now and later. Idempotent. */
  @Override
  public void close() {
    closed = true;
    informers.forEach(SharedIndexInformer::close);
  }
}
