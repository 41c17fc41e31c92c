package io.vpccni.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** The chart offers every config key the programs document, and documents every value it has. */
class ChartCoversEveryKeyTest {
  private static final Pattern KEY_CELL = Pattern.compile("`([^`]+)`");

  /** The keys of the first "| key |" table of a docs page, warmPool.x kept dotted. */
  static Set<String> documentedKeys(String page) throws IOException {
    List<String> lines = Files.readAllLines(Chart.ROOT.resolve("docs").resolve(page));
    Set<String> keys = new TreeSet<>();
    int i = 0;
    while (!lines.get(i).startsWith("| key |")) {
      i++;
    }
    for (i += 2; i < lines.size() && lines.get(i).startsWith("|"); i++) {
      String cell = lines.get(i).split("\\|")[1];
      Matcher m = KEY_CELL.matcher(cell);
      while (m.find()) {
        keys.add(m.group(1));
      }
    }
    return keys;
  }

  /**
   * The rendered config's keys, objects flattened as parent.child (providerSettings kept whole).
   */
  static Set<String> renderedKeys(String configMap, String file) {
    String json =
        Release.of("values-shared.yaml")
            .named(ConfigMap.class, Release.name(configMap))
            .getData()
            .get(file);
    JsonNode root = new ObjectMapper().readTree(json);
    Set<String> keys = new TreeSet<>();
    for (String k : root.propertyNames()) {
      JsonNode v = root.get(k);
      if (v.isObject() && !k.equals("providerSettings")) {
        v.propertyNames().forEach(c -> keys.add(k + "." + c));
      } else {
        keys.add(k);
      }
    }
    return keys;
  }

  @Test
  void controllerConfigCarriesEveryDocumentedKeyButKubeconfig() throws IOException {
    Set<String> expected = documentedKeys("controller-config.md");
    expected.remove("kubeconfig"); // in-cluster: the service account
    assertThat(renderedKeys("controller", "controller.json")).isEqualTo(expected);
  }

  @Test
  void agentConfigCarriesEveryDocumentedKeyThatAppliesToARealNode() throws IOException {
    Set<String> expected = documentedKeys("agent-config.md");
    // eniSource is kubernetes (so no enisFile), in-cluster (no kubeconfig), and the agent runs in
    // the host network (no nodeNetns)
    expected.removeAll(Set.of("enisFile", "kubeconfig", "nodeNetns"));
    assertThat(renderedKeys("agent", "agent.json")).isEqualTo(expected);
  }

  /** Keys under these are free-form Kubernetes or provider maps, documented by their parent. */
  private static final Set<String> FREE_FORM =
      Set.of(
          "resources",
          "installResources",
          "nodeSelector",
          "tolerations",
          "podAnnotations",
          "podLabels",
          "annotations",
          "providerSettings",
          "data");

  @Test
  void everyValueHasItsOwnComment() throws IOException {
    List<String> lines = Files.readAllLines(Chart.DIR.resolve("values.yaml"));
    Pattern keyLine = Pattern.compile("^( *)([A-Za-z][\\w.-]*):.*");
    Deque<int[]> indents = new ArrayDeque<>(); // indent of each open parent
    Deque<String> parents = new ArrayDeque<>();
    List<String> undocumented = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      Matcher m = keyLine.matcher(lines.get(i));
      if (!m.matches()) {
        continue;
      }
      int indent = m.group(1).length();
      while (!indents.isEmpty() && indents.peek()[0] >= indent) {
        indents.pop();
        parents.pop();
      }
      boolean freeForm = parents.stream().anyMatch(FREE_FORM::contains);
      if (!freeForm && (i == 0 || !lines.get(i - 1).strip().startsWith("#"))) {
        List<String> path = new ArrayList<>(parents.reversed());
        path.add(m.group(2));
        undocumented.add(String.join(".", path));
      }
      indents.push(new int[] {indent});
      parents.push(m.group(2));
    }
    assertThat(undocumented).as("values.yaml keys without a comment right above").isEmpty();
  }
}
