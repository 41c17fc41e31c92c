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
  private CompletableFuture<?> running;

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

  @Override
  public void close() {
    if (running != null) {
      running.cancel(true);
    }
  }
}
