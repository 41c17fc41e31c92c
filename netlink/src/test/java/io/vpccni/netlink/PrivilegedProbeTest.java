package io.vpccni.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vpccni.testkit.netns.Commands;
import io.vpccni.testkit.netns.NetnsExtension;
import io.vpccni.testkit.netns.NetnsTest;
import io.vpccni.testkit.netns.TestNetns;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The kernel probes agree with what {@code ip link add} can do in a scratch namespace (the oracle),
 * so the test holds on kernels with and without each kind. On the development VM, ipvlan and 802.1Q
 * are missing and macvlan is there.
 */
@Tag("netns")
class PrivilegedProbeTest {
  @RegisterExtension static final NetnsExtension netns = new NetnsExtension();

  /** Whether iproute2 can create a {@code kind} link on a veth in a fresh namespace. */
  private static boolean ipCanCreate(String kind, String... extra) {
    TestNetns ns = netns.create("o-" + kind);
    netns.ip(ns, "link", "add", "lower", "type", "veth", "peer", "name", "lower1");
    List<String> cmd =
        new java.util.ArrayList<>(
            List.of(
                "ip", "-n", ns.name(), "link", "add", "link", "lower", "name", "child", "type",
                kind));
    cmd.addAll(List.of(extra));
    boolean ok = Commands.exec(Duration.ofSeconds(30), cmd).ok();
    netns.delete(ns);
    return ok;
  }

  private static void assertProbeMatches(Probe probe, boolean expected) {
    assertThat(probe.isAvailable()).as(probe.toString()).isEqualTo(expected);
    if (expected) {
      assertThat(probe.unavailabilityCause()).isNull();
      probe.ensureAvailable();
    } else {
      assertThat(probe.unavailabilityCause())
          .hasMessage(
              "the kernel has no "
                  + probe.name()
                  + " support (RTM_NEWLINK kind "
                  + probe.name()
                  + ": EOPNOTSUPP)")
          .hasCauseInstanceOf(NetlinkException.class);
      assertThat(probe.unavailabilityCause().getCause())
          .hasMessageContaining("Unknown device type");
      assertThatThrownBy(probe::ensureAvailable)
          .isInstanceOf(UnsupportedOperationException.class)
          .hasMessageStartingWith(
              probe.name()
                  + " is not available on this kernel: the kernel has no "
                  + probe.name()
                  + " support");
    }
  }

  @NetnsTest
  void ipvlanProbeMatchesTheKernel() {
    assertProbeMatches(KernelProbes.IPVLAN, ipCanCreate("ipvlan", "mode", "l2"));
  }

  @NetnsTest
  void vlanProbeMatchesTheKernel() {
    assertProbeMatches(KernelProbes.VLAN, ipCanCreate("vlan", "id", "5"));
  }

  @NetnsTest
  void macvlanProbeMatchesTheKernel() {
    assertProbeMatches(KernelProbes.MACVLAN, ipCanCreate("macvlan", "mode", "bridge"));
  }

  @NetnsTest
  void probesLeaveNoLinkBehind() {
    KernelProbes.IPVLAN.isAvailable();
    KernelProbes.VLAN.isAvailable();
    KernelProbes.MACVLAN.isAvailable();
    assertThat(Commands.run("ip", "-o", "link", "show")).doesNotContain("vpcprobe");
  }

  @NetnsTest
  void creatingAMissingKindFailsWithTheKernelsReason() {
    TestNetns ns = netns.create("nokind");
    try (Netns n = Netns.open(ns.path());
        Netlink nl = Netlink.in(n)) {
      Link lower = nl.vethAdd(new VethSpec("low0", "low1", null, 0));
      if (!KernelProbes.IPVLAN.isAvailable()) {
        assertThatThrownBy(() -> nl.ipvlanAdd("iv0", lower.index(), "l2"))
            .isInstanceOf(NetlinkException.class)
            .hasMessage(
                "failed to add ipvlan iv0 link "
                    + lower.index()
                    + " mode l2: EOPNOTSUPP (Operation not supported): Unknown device type");
      } else {
        assertThat(nl.ipvlanAdd("iv0", lower.index(), "l2").kind()).isEqualTo("ipvlan");
      }
      if (!KernelProbes.VLAN.isAvailable()) {
        assertThatThrownBy(() -> nl.vlanAdd("vl0", lower.index(), 100))
            .isInstanceOf(NetlinkException.class)
            .satisfies(e -> assertThat(((NetlinkException) e).errnoName()).isEqualTo("EOPNOTSUPP"));
      } else {
        assertThat(nl.vlanAdd("vl0", lower.index(), 100).kind()).isEqualTo("vlan");
      }
    }
  }
}
