package io.vpccni.deploy;

import com.marcnuri.helm.Helm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** The chart under test, where it is in the repository, and its rendering for one values file. */
final class Chart {
  static final String RELEASE = "vpc-cni";
  static final String NAMESPACE = "vpc-cni-system";

  /** helm template defaults to Kubernetes 1.20, below the chart's kubeVersion. */
  static final String KUBE_VERSION = "v1.31.0";

  static final Path ROOT = Path.of(System.getProperty("vpccni.root", "..")).toAbsolutePath();
  static final Path DIR = ROOT.resolve("deploy/helm/vpc-cni");
  static final Path CRD_SOURCES = ROOT.resolve("crd/src/main/resources/crds");

  /** The example values files the chart ships, each rendered and validated. */
  static final List<String> EXAMPLES =
      List.of(
          "values-shared.yaml",
          "values-exclusive.yaml",
          "values-two-subnet-pools.yaml",
          "values-cilium.yaml");

  private static final YAMLMapper YAML = new YAMLMapper();
  private static final Map<String, List<JsonNode>> RENDERED = new ConcurrentHashMap<>();

  private Chart() {}

  /** {@code helm template} with ci/{@code example} (cached: each example renders once a run). */
  static List<JsonNode> render(String example) {
    return RENDERED.computeIfAbsent(example, e -> render(DIR.resolve("ci").resolve(e), Map.of()));
  }

  /** {@code helm template -f values --set k=v ...}, every document as a tree. */
  static List<JsonNode> render(Path values, Map<String, Object> set) {
    var template =
        new Helm(DIR)
            .template()
            .withName(RELEASE)
            .withNamespace(NAMESPACE)
            .withKubeVersion(KUBE_VERSION)
            .withValuesFile(values);
    set.forEach(template::set);
    return documents(template.call());
  }

  static List<JsonNode> documents(String yaml) {
    List<JsonNode> docs = new ArrayList<>();
    List<JsonNode> all = YAML.readerFor(JsonNode.class).<JsonNode>readValues(yaml).readAll();
    for (JsonNode d : all) {
      if (d != null && d.isObject() && !d.isEmpty()) {
        docs.add(d);
      }
    }
    return docs;
  }

  static JsonNode readYaml(Path file) throws java.io.IOException {
    return YAML.readTree(Files.readString(file));
  }
}
