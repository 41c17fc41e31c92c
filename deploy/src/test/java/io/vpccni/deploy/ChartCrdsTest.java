package io.vpccni.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The chart's crds/ is a copy of the crd module's CRD YAML, file for file and byte for byte, so the
 * two cannot drift: a CRD added to the crd module fails this test until the chart has it too.
 */
class ChartCrdsTest {
  private static final Path CHART_CRDS = Chart.DIR.resolve("crds");

  private static List<String> yamlFiles(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".yaml") || n.endsWith(".yml"))
          .sorted()
          .toList();
    }
  }

  @Test
  void chartHoldsExactlyTheCrdModulesCrds() throws IOException {
    List<String> sources = yamlFiles(Chart.CRD_SOURCES);
    assertThat(sources).isNotEmpty();
    assertThat(yamlFiles(CHART_CRDS))
        .as("deploy/helm/vpc-cni/crds must hold the files of %s", Chart.CRD_SOURCES)
        .isEqualTo(sources);
    for (String f : sources) {
      assertThat(Files.readString(CHART_CRDS.resolve(f)))
          .as("deploy/helm/vpc-cni/crds/%s differs from the crd module's: copy it again", f)
          .isEqualTo(Files.readString(Chart.CRD_SOURCES.resolve(f)));
    }
  }

  @Test
  void everyChartCrdIsStrictlyValidWithAnOpenApiSchemaPerVersion() throws IOException {
    for (String f : yamlFiles(CHART_CRDS)) {
      var crd = (CustomResourceDefinition) StrictModel.read(Chart.readYaml(CHART_CRDS.resolve(f)));
      assertThat(f).isEqualTo(crd.getMetadata().getName() + ".yaml");
      assertThat(crd.getSpec().getGroup()).isEqualTo("vpc-cni.io");
      assertThat(crd.getSpec().getVersions()).isNotEmpty();
      assertThat(crd.getSpec().getVersions()).filteredOn(v -> v.getStorage()).hasSize(1);
      for (CustomResourceDefinitionVersion v : crd.getSpec().getVersions()) {
        assertThat(v.getSchema().getOpenAPIV3Schema().getType()).as(f).isEqualTo("object");
      }
    }
  }
}
