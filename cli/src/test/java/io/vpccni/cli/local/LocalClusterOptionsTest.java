package io.vpccni.cli.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Options a local cluster refuses before it starts anything. */
class LocalClusterOptionsTest {
  @TempDir Path dir;

  @Test
  void snatForANodeTheClusterDoesNotHaveIsRefusedBeforeAnythingStarts() {
    LocalCluster cluster = new LocalCluster(dir.resolve("cluster"), dir.resolve("dist"));
    var opt =
        new LocalCluster.Options(2, "c5.xlarge", 2, 3, 5, 30, 60)
            .withSnat(Map.of(3, "{\"enabled\":true}"));

    assertThatThrownBy(() -> cluster.up(opt, m -> {}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("snat is set for node 3, not one of 1..2");
    assertThat(dir.resolve("cluster")).doesNotExist();
  }

  @Test
  void noNodeHasSnatByDefault() {
    assertThat(LocalCluster.Options.defaults(2).snat()).isEmpty();
    assertThat(new LocalCluster.Options(2, "c5.xlarge", 2, 3, 5, 30, 60).snat()).isEmpty();
  }
}
