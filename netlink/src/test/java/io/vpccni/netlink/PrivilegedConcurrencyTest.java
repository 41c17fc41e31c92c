package io.vpccni.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.netaddr.IpAddress;
import io.vpccni.netaddr.IpPrefix;
import io.vpccni.testkit.netns.NetnsExtension;
import io.vpccni.testkit.netns.NetnsTest;
import io.vpccni.testkit.netns.TestNetns;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;

/** One handle shared by several threads: requests are serialised, replies never cross. */
@Tag("netns")
class PrivilegedConcurrencyTest {
  @RegisterExtension static final NetnsExtension netns = new NetnsExtension();

  private static final int THREADS = 8;
  private static final int ROUTES_PER_THREAD = 50;

  @NetnsTest
  void threadsSharingAHandleEachSeeTheirOwnReplies() throws Exception {
    TestNetns ns = netns.create("conc");
    try (Netns n = Netns.open(ns.path());
        Netlink nl = Netlink.in(n)) {
      Link dev = nl.vethAdd(new VethSpec("c0", "c1", null, 0));
      nl.linkSetUp(dev.index());
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      try {
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
          int thread = t;
          futures.add(
              pool.submit(
                  () -> {
                    int table = 1000 + thread;
                    for (int i = 0; i < ROUTES_PER_THREAD; i++) {
                      Route r =
                          Route.to(
                                  new IpPrefix(IpAddress.ofV4(0x0a000000 | (thread << 16) | i), 32))
                              .dev(dev.index())
                              .scope(Scope.LINK)
                              .table(table);
                      nl.routeAdd(r);
                      // interleave dumps and gets with the writes of the other threads
                      assertThat(nl.routeList(table, 2)).hasSize(i + 1);
                      assertThat(nl.link("c0").index()).isEqualTo(dev.index());
                    }
                    return null;
                  }));
        }
        for (Future<?> f : futures) {
          f.get(60, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
        pool.awaitTermination(10, TimeUnit.SECONDS);
      }
      assertThat(nl.routeList(0, 2))
          .filteredOn(r -> r.table() >= 1000 && r.table() < 1000 + THREADS)
          .hasSize(THREADS * ROUTES_PER_THREAD);
    }
  }
}
