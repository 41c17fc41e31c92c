package io.vpccni.controller.leader;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElector;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader election on a coordination.k8s.io Lease, so two or more controller replicas can run and
 * exactly one acts: {@code onStart} runs when this replica becomes leader, {@code onStop} when it
 * loses the lease (then it must stop acting at once; the replica exits so that it restarts clean).
 */
public final class Leadership implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(Leadership.class);

  private final LeaderElector elector;
  private final KubernetesClient kube;
  private final String namespace;
  private final String leaseName;
  private final String identity;
  private CompletableFuture<?> running;
  private boolean closed;

  /**
   * @param lease lease duration: a new leader takes over at most this long after the old one
   *     stopped renewing
   */
  public Leadership(
      KubernetesClient kube,
      String namespace,
      String leaseName,
      String identity,
      Duration lease,
      Runnable onStart,
      Runnable onStop) {
    this.kube = kube;
    this.namespace = namespace;
    this.leaseName = leaseName;
    this.identity = identity;
    this.elector =
        kube.leaderElector()
            .withConfig(
                new LeaderElectionConfigBuilder()
                    .withName(leaseName)
                    .withLock(new LeaseLock(namespace, leaseName, identity))
                    .withLeaseDuration(lease)
                    .withRenewDeadline(lease.multipliedBy(2).dividedBy(3))
                    .withRetryPeriod(lease.dividedBy(5))
                    .withReleaseOnCancel(true)
                    .withLeaderCallbacks(
                        new LeaderCallbacks(
                            () -> {
                              logger.info("{} became the leader", identity);
                              onStart.run();
                            },
                            () -> {
                              logger.warn("{} lost the leadership", identity);
                              onStop.run();
                            },
                            leader -> logger.info("leader is now {}", leader)))
                    .build())
            .build();
  }

  public void start() {
    running = elector.start();
  }

  /**
   * Stops taking part and, if this replica leads, gives the Lease up at once (holder empty, a one
   * second duration), so a standby takes over within its retry period instead of waiting out the
   * lease. Call it only after the replica has stopped acting. Idempotent; never throws.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    if (running != null) {
      running.cancel(true);
    }
    try {
      if (release()) {
        logger.info("{} released the lease", identity);
      }
    } catch (RuntimeException e) {
      logger.warn("{} could not release the lease: {}", identity, e.getMessage());
    }
  }

  /**
   * Empties the Lease's holder if it is still ours (an update at the Lease's resourceVersion, so a
   * standby that took it meanwhile keeps it). The elector's own release on cancel runs on its
   * thread and leaves the holder named (it only shortens the lease to one second); this one is done
   * before close returns and shows in {@code kubectl get lease} as no holder.
   */
  private boolean release() {
    var leases = kube.leases().inNamespace(namespace).withName(leaseName);
    var lease = leases.get();
    if (lease == null
        || lease.getSpec() == null
        || !identity.equals(lease.getSpec().getHolderIdentity())) {
      return false;
    }
    var now = java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC);
    lease.getSpec().setHolderIdentity("");
    lease.getSpec().setLeaseDurationSeconds(1);
    lease.getSpec().setRenewTime(now);
    lease.getSpec().setAcquireTime(now);
    try {
      kube.leases().inNamespace(namespace).resource(lease).update();
      return true;
    } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
      if (e.getCode() == 409) {
        return false; // someone else wrote it meanwhile: not ours to release any more
      }
      throw e;
    }
  }
}
