package io.vpccni.testkit.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Naming and subprocess rules; no namespaces are created here. */
class NetnsExtensionTest {
  @Test
  void prefixesAreShortUniqueAndLeaveRoomForLinkNames() {
    NetnsExtension a = new NetnsExtension();
    NetnsExtension b = new NetnsExtension();
    assertThat(a.prefix()).matches("vt[0-9a-z]{5}").isNotEqualTo(b.prefix());
    assertThat(a.linkName("abcdef")).hasSize(14).startsWith(a.prefix() + "-");
    assertThatThrownBy(() -> a.linkName("toolong")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> a.linkName("Bad")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void helpersRefuseNamespacesOfOtherRuns() {
    NetnsExtension a = new NetnsExtension();
    TestNetns foreign =
        new TestNetns("someone-else", java.nio.file.Path.of("/run/netns/someone-else"));
    assertThatThrownBy(() -> a.ip(foreign, "link"))
        .hasMessageContaining("not created by this extension");
    assertThatThrownBy(() -> a.delete(foreign)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void commandsTimeOutAndReportStderr() {
    Commands.Result slow = Commands.exec(Duration.ofMillis(200), List.of("sleep", "10"));
    assertThat(slow.exitCode()).isEqualTo(Commands.TIMED_OUT);
    assertThatThrownBy(() -> Commands.run("sh", "-c", "echo oops >&2; exit 3"))
        .isInstanceOf(CommandException.class)
        .hasMessageContaining("exited with 3")
        .hasMessageContaining("oops");
    assertThat(Commands.run("echo", "hi")).isEqualTo("hi\n");
  }
}
