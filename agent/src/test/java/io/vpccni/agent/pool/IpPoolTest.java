package io.vpccni.agent.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vpccni.agent.config.EniSpec;
import io.vpccni.agent.config.Mode;
import io.vpccni.agent.store.Allocation;
import io.vpccni.agent.store.CheckpointStore;
import io.vpccni.netaddr.IpAddress;
import io.vpccni.netaddr.IpPrefix;
import io.vpccni.netaddr.MacAddress;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IpPoolTest {
  @TempDir Path dir;

  static final class MutableClock extends Clock {
    long now = 1_000_000;

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(now);
    }
  }

  static List<EniSpec> enis(int perEni) {
    List<EniSpec> out = new ArrayList<>();
    for (int e = 1; e <= 2; e++) {
      List<IpAddress> ips = new ArrayList<>();
      for (int i = 0; i < perEni; i++) {
        ips.add(IpAddress.parse("10.0." + e + "." + (20 + i)));
      }
      out.add(
          new EniSpec(
              "eni-" + e,
              MacAddress.parse("02:00:00:00:00:0" + e),
              e,
              IpPrefix.parse("10.0." + e + ".0/24"),
              IpAddress.parse("10.0." + e + ".1"),
              IpAddress.parse("10.0." + e + ".10"),
              ips));
    }
    return out;
  }

  IpPool pool(MutableClock clock, int perEni, Duration cooldown) throws IOException {
    return new IpPool(enis(perEni), Mode.SHARED, new CheckpointStore(dir), clock, cooldown);
  }

  static Allocation.Key key(int i) {
    return new Allocation.Key("c" + i, "eth0");
  }

  @Test
  void neverHandsOneIpToTwoAttachmentsEvenConcurrently() throws Exception {
    IpPool pool = pool(new MutableClock(), 10, Duration.ZERO);
    try (ExecutorService ex = Executors.newFixedThreadPool(8)) {
      List<Future<Allocation>> fs = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        int n = i;
        fs.add(ex.submit(() -> pool.reserve(key(n), "p", "/ns", "h", null)));
      }
      Set<IpAddress> ips = new HashSet<>();
      for (Future<Allocation> f : fs) {
        assertThat(ips.add(f.get().ip())).isTrue();
      }
    }
    assertThatThrownBy(() -> pool.reserve(key(99), "p", "/ns", "h", null))
        .isInstanceOf(PoolExhaustedException.class)
        .hasMessageContaining("in use");
  }

  @Test
  void packsOneEniBeforeTheNext() throws Exception {
    IpPool pool = pool(new MutableClock(), 4, Duration.ZERO);
    Allocation first = pool.reserve(key(1), "p", "/ns", "h", null);
    Allocation second = pool.reserve(key(2), "p", "/ns", "h", null);
    assertThat(second.eniId()).isEqualTo(first.eniId());
  }

  @Test
  void releasedIpRestsForTheCooldownAndTheCooldownSurvivesARestart() throws Exception {
    MutableClock clock = new MutableClock();
    IpPool pool = pool(clock, 1, Duration.ofSeconds(180));
    Allocation a = pool.reserve(key(1), "p", "/ns", "h", null);
    pool.reserve(key(2), "p", "/ns", "h", null);
    pool.release(key(1), true);
    IpPool restarted = pool(clock, 1, Duration.ofSeconds(180));
    assertThatThrownBy(() -> restarted.reserve(key(3), "p", "/ns", "h", null))
        .isInstanceOfSatisfying(
            PoolExhaustedException.class, e -> assertThat(e.cooling()).isTrue());
    assertThat(restarted.stats()).isEqualTo(new PoolStats(2, 1, 1, 0));
    clock.now += 179_000;
    assertThatThrownBy(() -> restarted.reserve(key(3), "p", "/ns", "h", null))
        .isInstanceOf(PoolExhaustedException.class);
    clock.now += 1_000;
    assertThat(restarted.reserve(key(3), "p", "/ns", "h", null).ip()).isEqualTo(a.ip());
  }

  @Test
  void releaseWithoutCooldownFreesAtOnce() throws Exception {
    IpPool pool = pool(new MutableClock(), 1, Duration.ofSeconds(180));
    Allocation a = pool.reserve(key(1), "p", "/ns", "h", null);
    pool.release(key(1), false);
    assertThat(pool.reserve(key(2), "p", "/ns", "h", null).ip()).isEqualTo(a.ip());
  }

  @Test
  void allocationsSurviveARestartWithTheirState() throws Exception {
    MutableClock clock = new MutableClock();
    IpPool pool = pool(clock, 4, Duration.ZERO);
    Allocation a = pool.reserve(key(1), "ns/pod-1", "/run/netns/x", "vpc123", null);
    pool.update(a.withState(Allocation.State.READY));
    IpPool restarted = pool(clock, 4, Duration.ZERO);
    assertThat(restarted.find(key(1))).contains(a.withState(Allocation.State.READY));
    assertThat(restarted.reserve(key(2), "p", "/ns", "h", null).ip()).isNotEqualTo(a.ip());
  }

  @Test
  void repeatedReserveForTheSameKeyReturnsTheSameAllocation() throws Exception {
    IpPool pool = pool(new MutableClock(), 4, Duration.ZERO);
    Allocation a = pool.reserve(key(1), "p", "/ns", "h", null);
    assertThat(pool.reserve(key(1), "p", "/ns", "h", null)).isEqualTo(a);
    assertThat(pool.stats().used()).isEqualTo(1);
  }

  @Test
  void emptyPoolSaysTheNodeHasNoIps() throws Exception {
    IpPool pool =
        new IpPool(
            List.of(), Mode.SHARED, new CheckpointStore(dir), new MutableClock(), Duration.ZERO);
    assertThatThrownBy(() -> pool.reserve(key(1), "p", "/ns", "h", null))
        .hasMessageContaining("no pod IPs");
  }

  @Test
  void exclusiveModeHandsOutWholeEnis() throws Exception {
    IpPool pool =
        new IpPool(
            enis(4), Mode.EXCLUSIVE, new CheckpointStore(dir), new MutableClock(), Duration.ZERO);
    assertThat(pool.stats().total()).isEqualTo(2);
    assertThat(pool.reserve(key(1), "p", "/ns", "h", null).ip().toString()).endsWith(".10");
  }

  @Test
  void aPoolsPodsGetOnlyThatPoolsIpsAndWaitForItAlone() throws Exception {
    List<EniSpec> enis = new ArrayList<>(enis(2));
    EniSpec second = enis.get(1);
    enis.set(
        1,
        new EniSpec(
            second.id(),
            second.mac(),
            second.deviceIndex(),
            second.subnet(),
            second.gateway(),
            second.primaryIp(),
            second.ips(),
            "team-a"));
    IpPool pool =
        new IpPool(enis, Mode.SHARED, new CheckpointStore(dir), new MutableClock(), Duration.ZERO);
    assertThat(pool.reserve(key(1), "team-a", "p", "/ns", "h", null).ip().toString())
        .startsWith("10.0.2.");
    assertThat(pool.reserve(key(2), "p", "/ns", "h", null).ip().toString()).startsWith("10.0.1.");
    assertThat(pool.reserve(key(3), "team-a", "p", "/ns", "h", null).ip().toString())
        .startsWith("10.0.2.");
    assertThatThrownBy(() -> pool.reserve(key(4), "team-a", "p", "/ns", "h", null))
        .isInstanceOf(PoolExhaustedException.class)
        .hasMessageContaining("SubnetPool team-a");
    assertThatThrownBy(() -> pool.reserve(key(5), "team-b", "p", "/ns", "h", null))
        .hasMessageContaining("no ENI of SubnetPool team-b");
    pool.noteWaiting(key(4), "team-a");
    pool.noteWaiting(key(5), "team-b");
    assertThat(pool.demandByPool()).containsExactly(Map.entry("team-a", 1), Map.entry("team-b", 1));
    assertThat(pool.demand()).isEqualTo(2);
    // a retried ADD keeps its address only within its pool
    assertThat(pool.reserve(key(6), "p", "/ns", "h", IpAddress.parse("10.0.2.20")).ip().toString())
        .startsWith("10.0.1.");
  }
}
