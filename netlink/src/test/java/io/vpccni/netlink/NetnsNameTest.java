package io.vpccni.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Names of named namespaces are checked before anything is touched. No root needed. */
class NetnsNameTest {
  @Test
  void badNamesAreRejectedBeforeAnythingIsTouched() {
    for (String bad :
        new String[] {"", ".", "..", "a/b", "/abs", "../x", "nul\0x", "x".repeat(256)}) {
      assertThatThrownBy(() -> Netns.create(bad))
          .as("create \"%s\"", bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("bad network namespace name");
      assertThatThrownBy(() -> Netns.delete(bad))
          .as("delete \"%s\"", bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> Netns.create(null)).isInstanceOf(IllegalArgumentException.class);
    assertThat(Netns.pathOf("x".repeat(255))).isEqualTo(Path.of("/var/run/netns", "x".repeat(255)));
    assertThat(Netns.pathOf("a.b-c_d")).isEqualTo(Path.of("/var/run/netns/a.b-c_d"));
    assertThatThrownBy(() -> Netns.pathOf("é".repeat(128)))
        .hasMessageContaining("longer than 255 bytes");
  }
}
