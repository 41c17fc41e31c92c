package io.vpccni.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChartLintTest {
  /**
   * {@code helm lint --strict}. Lint renders with the chart's own values.yaml, whose clusterId is
   * empty on purpose (the chart refuses to render without one: it must be unique per VPC), and
   * helm-java's lint takes no values file; so lint runs on a copy of the chart that sets it.
   */
  @Test
  void chartLintsCleanInStrictMode(@TempDir Path tmp) throws IOException {
    Path chart = tmp.resolve("vpc-cni");
    try (Stream<Path> files = Files.walk(Chart.DIR)) {
      for (Path p : files.toList()) {
        Path to = chart.resolve(Chart.DIR.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(to);
        } else {
          Files.copy(p, to);
        }
      }
    }
    Path values = chart.resolve("values.yaml");
    String text = Files.readString(values);
    assertThat(text).contains("\n  clusterId: \"\"\n");
    Files.writeString(values, text.replace("\n  clusterId: \"\"\n", "\n  clusterId: lint\n"));

    LintResult result = new Helm(chart).lint().strict().call();

    assertThat(result.getMessages())
        .noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
    assertThat(result.isFailed()).as("%s", result.getMessages()).isFalse();
  }
}
