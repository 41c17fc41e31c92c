package io.vpccni.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.vpccni.agent.config.AgentConfig;
import io.vpccni.agentapi.Json;
import io.vpccni.agentapi.JsonObject;
import io.vpccni.cni.NetConf;
import io.vpccni.cni.Verb;
import io.vpccni.controller.config.ControllerConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** One rendering of the chart, every object read strictly into the typed model. */
final class Release {
  final List<HasMetadata> objects = new ArrayList<>();

  Release(List<JsonNode> docs) {
    for (JsonNode d : docs) {
      try {
        objects.add(StrictModel.read(d));
      } catch (RuntimeException e) {
        throw new AssertionError(
            d.path("kind").asString() + " " + d.path("metadata").path("name").asString() + ": " + e,
            e);
      }
    }
  }

  static Release of(String example) {
    return new Release(Chart.render(example));
  }

  <T extends HasMetadata> List<T> all(Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  <T extends HasMetadata> T named(Class<T> type, String name) {
    List<T> found = all(type).stream().filter(o -> o.getMetadata().getName().equals(name)).toList();
    assertThat(found).as("%s %s", type.getSimpleName(), name).hasSize(1);
    return found.getFirst();
  }

  static String name(String component) {
    return Chart.RELEASE + "-" + component;
  }

  DaemonSet agent() {
    return named(DaemonSet.class, name("agent"));
  }

  Deployment controller() {
    return named(Deployment.class, name("controller"));
  }

  Container agentContainer() {
    return container(agent().getSpec().getTemplate(), "agent");
  }

  Container controllerContainer() {
    return container(controller().getSpec().getTemplate(), "controller");
  }

  static Container container(PodTemplateSpec pod, String name) {
    return allContainers(pod).filter(c -> c.getName().equals(name)).findFirst().orElseThrow();
  }

  static Stream<Container> allContainers(PodTemplateSpec pod) {
    return Stream.concat(
        pod.getSpec().getInitContainers().stream(), pod.getSpec().getContainers().stream());
  }

  String agentJson() {
    return named(ConfigMap.class, name("agent")).getData().get("agent.json");
  }

  /** The agent's config as the agent reads it on node "node-a" (NODE_NAME from spec.nodeName). */
  AgentConfig agentConfig() {
    return AgentConfig.parse(Json.parseObject(agentJson()), Map.of("NODE_NAME", "node-a")::get);
  }

  /**
   * The controller's config as the controller reads it, with the environment its container gets:
   * plain values as rendered, Secret references as "secret:<key>".
   */
  ControllerConfig controllerConfig() {
    Map<String, String> env = new HashMap<>();
    for (EnvVar e : controllerContainer().getEnv()) {
      if (e.getValue() != null) {
        env.put(e.getName(), e.getValue());
      } else if (e.getValueFrom().getSecretKeyRef() != null) {
        env.put(e.getName(), "secret:" + e.getValueFrom().getSecretKeyRef().getKey());
      }
    }
    String json = named(ConfigMap.class, name("controller")).getData().get("controller.json");
    return ControllerConfig.parse(new ObjectMapper().readTree(json), env::get);
  }

  /** The conflist, as JSON. */
  JsonObject conflist(String confName) {
    String text = named(ConfigMap.class, name("agent")).getData().get(confName);
    assertThat(text).as("ConfigMap %s key %s", name("agent"), confName).isNotNull();
    return Json.parseObject(text);
  }

  /**
   * The vpc-cni entry as the CNI binary receives it: the plugin's object with the conflist's
   * cniVersion and name, which is what libcni passes to the first plugin.
   */
  static NetConf firstPlugin(JsonObject conflist) throws Exception {
    Map<String, Object> net = new LinkedHashMap<>(conflist.objects("plugins").getFirst().map());
    net.put("cniVersion", conflist.string("cniVersion"));
    net.put("name", conflist.string("name"));
    return NetConf.parse(Verb.ADD, JsonObject.of(net));
  }
}
