package io.vpccni.cloud.openstack.api;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Keeps at most one write in flight per Neutron port id; other writers of the same port queue in
 * arrival order (a fair lock), writers of different ports run in parallel.
 *
 * <p>Why: Neutron's {@code PUT /v2.0/ports/{id}} replaces {@code fixed_ips} and {@code
 * allowed_address_pairs} as whole lists, so adding or removing one address is a read-modify-write
 * on the client. The server diffs the requested list against the list ITS OWN transaction reads and
 * frees whatever is missing, so a writer whose read predates another writer's commit frees that
 * writer's address: both got 200, one address is gone. {@code If-Match: revision_number=N} does not
 * close the hole in Zed (21.0.0): the check is not atomic with the update, so two overlapping
 * writes of the same revision are both accepted. Measured on a real neutron-server
 * (../shared/notes/neutron-server.md, "Same port, concurrent read-modify-write": 10 writers × 10
 * appends to one port ended with 55 IPs instead of 101 without If-Match and 45 instead of 51 with
 * it) and again by {@code PrivilegedNeutronRealServerTest} against the server {@code
 * scripts/neutron-server.sh} starts (a second PUT 100+ ms after the first drops the first writer's
 * address; simultaneous PUTs of one revision both pass If-Match). So the read, the computation of
 * the new list and the PUT of one port must all run inside one {@link #write} call, and every
 * writer of that port in this process must use the same serializer (across processes, one process
 * must own a port's writes).
 *
 * <p>This is a mechanism, not a policy: it neither retries nor reorders. Re-entrant on the same
 * thread. Entries are removed when no writer holds or waits for them, so the map stays as small as
 * the number of ports being written.
 */
public final class PortWriteSerializer {
  private static final class Entry {
    final ReentrantLock lock = new ReentrantLock(true);
    int users;
  }

  private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();

  /**
   * Runs {@code write} when no other write of {@code portId} is in flight, and returns its result.
   */
  public <T> T write(String portId, Supplier<T> write) {
    Entry e =
        entries.compute(
            portId,
            (k, v) -> {
              Entry n = v == null ? new Entry() : v;
              n.users++;
              return n;
            });
    e.lock.lock();
    try {
      return write.get();
    } finally {
      e.lock.unlock();
      entries.computeIfPresent(portId, (k, v) -> --v.users == 0 ? null : v);
    }
  }

  /** As {@link #write(String, Supplier)} for writes with no result. */
  public void run(String portId, Runnable write) {
    write(
        portId,
        () -> {
          write.run();
          return null;
        });
  }

  /** Ports with a write in flight or queued (for tests and metrics). */
  public int activePorts() {
    return entries.size();
  }
}
