package io.vpccni.deploy;

import static io.vpccni.deploy.Release.name;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.vpccni.agent.config.AgentConfig;
import io.vpccni.agent.config.Mode;
import io.vpccni.agentapi.JsonObject;
import io.vpccni.cni.NetConf;
import io.vpccni.controller.config.ControllerConfig;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/** Every example values file renders objects the API server and our own programs accept. */
class RenderedChartTest {
  static final List<String> examples = Chart.EXAMPLES;

  private static final Set<String> CLUSTER_SCOPED =
      Set.of("ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "SubnetPool");

  @ParameterizedTest
  @FieldSource("examples")
  void everyObjectIsWellFormed(String example) {
    Release r = Release.of(example);
    assertThat(r.objects).isNotEmpty();
    Set<String> seen = new HashSet<>();
    for (HasMetadata o : r.objects) {
      String id = o.getKind() + " " + o.getMetadata().getName();
      assertThat(o.getMetadata().getName()).as(id).isNotBlank().hasSizeLessThanOrEqualTo(63);
      assertThat(seen.add(id)).as("%s is rendered twice", id).isTrue();
      if (CLUSTER_SCOPED.contains(o.getKind())) {
        assertThat(o.getMetadata().getNamespace()).as(id).isNull();
      } else {
        assertThat(o.getMetadata().getNamespace()).as(id).isEqualTo(Chart.NAMESPACE);
      }
      assertThat(o.getMetadata().getLabels())
          .as(id)
          .containsEntry("app.kubernetes.io/name", "vpc-cni");
    }
    for (PodTemplateSpec pod : podTemplates(r)) {
      checkPod(r, pod);
    }
    assertThat(r.agent().getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(r.agent().getSpec().getSelector().getMatchLabels());
    assertThat(r.controller().getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(r.controller().getSpec().getSelector().getMatchLabels());
    for (ClusterRoleBinding b : r.all(ClusterRoleBinding.class)) {
      checkBinding(r, b.getRoleRef(), b.getSubjects(), ClusterRole.class);
    }
    for (RoleBinding b : r.all(RoleBinding.class)) {
      checkBinding(r, b.getRoleRef(), b.getSubjects(), Role.class);
    }
  }

  private static void checkPod(Release r, PodTemplateSpec pod) {
    var spec = pod.getSpec();
    assertThat(spec.getContainers()).isNotEmpty();
    r.named(ServiceAccount.class, spec.getServiceAccountName());
    Set<String> volumes =
        spec.getVolumes().stream().map(Volume::getName).collect(Collectors.toSet());
    for (Volume v : spec.getVolumes()) {
      if (v.getConfigMap() != null) {
        r.named(ConfigMap.class, v.getConfigMap().getName());
      }
    }
    Release.allContainers(pod)
        .forEach(
            c -> {
              assertThat(c.getName()).isNotBlank();
              assertThat(c.getImage()).as("image of %s", c.getName()).matches("[^\\s:]+:[^\\s:]+");
              assertThat(c.getCommand()).as("command of %s", c.getName()).isNotEmpty();
              for (VolumeMount m : c.getVolumeMounts()) {
                assertThat(volumes)
                    .as("volume of mount %s", m.getMountPath())
                    .contains(m.getName());
                assertThat(m.getMountPath()).startsWith("/");
              }
              assertThat(c.getSecurityContext())
                  .as("securityContext of %s", c.getName())
                  .isNotNull();
              assertThat(c.getSecurityContext().getPrivileged()).isNotEqualTo(Boolean.TRUE);
              assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
            });
  }

  private static void checkBinding(
      Release r, RoleRef ref, List<Subject> subjects, Class<? extends HasMetadata> kind) {
    assertThat(ref.getKind()).isEqualTo(kind.getSimpleName());
    r.named(kind, ref.getName());
    assertThat(subjects).isNotEmpty();
    for (Subject s : subjects) {
      assertThat(s.getKind()).isEqualTo("ServiceAccount");
      assertThat(s.getNamespace()).isEqualTo(Chart.NAMESPACE);
      r.named(ServiceAccount.class, s.getName());
    }
  }

  private static List<PodTemplateSpec> podTemplates(Release r) {
    List<PodTemplateSpec> pods = new ArrayList<>();
    r.all(DaemonSet.class).forEach(d -> pods.add(d.getSpec().getTemplate()));
    r.all(Deployment.class).forEach(d -> pods.add(d.getSpec().getTemplate()));
    return pods;
  }

  @ParameterizedTest
  @FieldSource("examples")
  void agentConfigIsOneTheAgentAccepts(String example) {
    Release r = Release.of(example);
    AgentConfig c = r.agentConfig();
    assertThat(c.node()).isEqualTo("node-a");
    assertThat(c.eniSource()).isEqualTo("kubernetes");
    assertThat(c.mode()).isEqualTo(example.contains("exclusive") ? Mode.EXCLUSIVE : Mode.SHARED);
    assertThat(c.metricsAddress()).isEqualTo("0.0.0.0:61678");
    // NetworkPolicy is on by default wherever it can be enforced: shared mode without Cilium
    assertThat(c.networkPolicy())
        .isEqualTo(!example.contains("exclusive") && !example.contains("cilium"));
    // the socket and the store are on the node, where the DaemonSet mounts them
    Container agent = r.agentContainer();
    assertThat(mountPaths(agent))
        .contains(c.socket().getParent().toString(), c.stateDir().toString());
  }

  @ParameterizedTest
  @FieldSource("examples")
  void controllerConfigIsOneTheControllerAccepts(String example) {
    Release r = Release.of(example);
    ControllerConfig c = r.controllerConfig();
    assertThat(c.leaseNamespace()).isEqualTo(Chart.NAMESPACE);
    assertThat(c.leaseName()).isEqualTo("vpc-cni-controller");
    assertThat(c.clusterId()).isNotBlank();
    assertThat(c.metricsAddress()).isEqualTo(":61679");
    assertThat(c.providerSettings()).containsKey("network");
    Role lease = r.named(Role.class, name("controller-lease"));
    assertThat(lease.getRules().stream().flatMap(p -> p.getResourceNames().stream()))
        .containsExactly(c.leaseName());
  }

  @ParameterizedTest
  @FieldSource("examples")
  void conflistPutsVpcCniFirstAndTheBinaryAcceptsIt(String example) throws Exception {
    Release r = Release.of(example);
    JsonObject conflist = r.conflist("10-vpc-cni.conflist");
    assertThat(conflist.string("cniVersion")).isEqualTo("1.0.0");
    NetConf first = Release.firstPlugin(conflist);
    assertThat(first.type()).isEqualTo("vpc-cni");
    assertThat(first.agentSocket()).isEqualTo(r.agentConfig().socket());
    List<String> types = conflist.objects("plugins").stream().map(p -> p.string("type")).toList();
    List<String> expected =
        switch (example) {
          case "values-shared.yaml" -> List.of("vpc-cni", "portmap", "bandwidth");
          case "values-exclusive.yaml" -> List.of("vpc-cni");
          case "values-cilium.yaml" -> List.of("vpc-cni", "portmap", "cilium-cni");
          default -> List.of("vpc-cni", "portmap");
        };
    assertThat(types).isEqualTo(expected);
  }

  @org.junit.jupiter.api.Test
  void ciliumChainsLastInGenericVethModeOverSnatAndNoPolicyOfOurOwn() throws Exception {
    Release r = Release.of("values-cilium.yaml");
    JsonObject conflist = r.conflist("10-vpc-cni.conflist");
    assertThat(conflist.string("cniVersion")).isEqualTo("1.0.0");
    List<JsonObject> plugins = conflist.objects("plugins");
    assertThat(plugins.getFirst().string("type")).isEqualTo("vpc-cni");
    JsonObject cilium = plugins.getLast();
    assertThat(cilium.string("type")).isEqualTo("cilium-cni");
    assertThat(cilium.string("chaining-mode")).isEqualTo("generic-veth");
    AgentConfig agent = r.agentConfig();
    assertThat(agent.mode()).isEqualTo(Mode.SHARED);
    assertThat(agent.networkPolicy()).isFalse();
    assertThat(agent.snat().enabled()).isTrue();
    assertThat(agent.snat().neverSnat())
        .extracting(Object::toString)
        .containsExactly("10.0.0.0/16", "192.168.0.0/16");
  }

  /** The verbs the code uses (see the comments in templates/rbac-*.yaml), and nothing more. */
  @ParameterizedTest
  @FieldSource("examples")
  void rbacGrantsExactlyTheVerbsTheCodeUses(String example) {
    Release r = Release.of(example);
    List<String> agentRules =
        new ArrayList<>(
            List.of(
                "vpc-cni.io/nodeenis: get,list,watch",
                "vpc-cni.io/nodeenis/status: update",
                "vpc-cni.io/subnetpools: list,watch",
                "vpc-cni.io/ipreservations: create,get,list,update,watch",
                "apps/statefulsets: get",
                "/namespaces: list,watch",
                "/events: create,get,patch"));
    if (r.agentConfig().networkPolicy()) {
      agentRules.addAll(
          List.of("/pods: get,list,watch", "networking.k8s.io/networkpolicies: list,watch"));
    } else {
      agentRules.add("/pods: get");
    }
    assertThat(rules(r.named(ClusterRole.class, name("agent")).getRules()))
        .containsExactlyInAnyOrderElementsOf(agentRules);
    assertThat(rules(r.named(ClusterRole.class, name("controller")).getRules()))
        .containsExactlyInAnyOrder(
            "/nodes: get,list,watch",
            "vpc-cni.io/nodeenis: create,delete,get,list,update,watch",
            "vpc-cni.io/subnetpools: get,list,watch",
            "vpc-cni.io/subnetpools/status: update",
            "vpc-cni.io/ipreservations: delete,get,list,update,watch",
            "/events: create,get,patch");
    assertThat(rules(r.named(Role.class, name("controller-lease")).getRules()))
        .containsExactlyInAnyOrder(
            "coordination.k8s.io/leases: create",
            "coordination.k8s.io/leases[vpc-cni-controller]: get,patch");
    assertThat(r.all(ClusterRole.class)).hasSize(2);
    assertThat(r.all(Role.class)).hasSize(1);
    assertThat(r.named(ClusterRoleBinding.class, name("agent")).getSubjects())
        .extracting(Subject::getName)
        .containsExactly(name("agent"));
    assertThat(r.named(ClusterRoleBinding.class, name("controller")).getSubjects())
        .extracting(Subject::getName)
        .containsExactly(name("controller"));
    assertThat(r.agent().getSpec().getTemplate().getSpec().getServiceAccountName())
        .isEqualTo(name("agent"));
    assertThat(r.controller().getSpec().getTemplate().getSpec().getServiceAccountName())
        .isEqualTo(name("controller"));
  }

  /** "group/resource[names]: sorted verbs", one per group × resource of each rule. */
  private static List<String> rules(List<PolicyRule> rules) {
    List<String> out = new ArrayList<>();
    for (PolicyRule p : rules) {
      String names = p.getResourceNames().isEmpty() ? "" : p.getResourceNames().toString();
      for (String g : p.getApiGroups()) {
        for (String res : p.getResources()) {
          out.add(g + "/" + res + names + ": " + String.join(",", new TreeSet<>(p.getVerbs())));
        }
      }
    }
    return out;
  }

  @ParameterizedTest
  @FieldSource("examples")
  void cloudSecretReachesTheControllerOnly(String example) {
    Release r = Release.of(example);
    Map<String, Set<String>> bySecret = new java.util.HashMap<>();
    for (PodTemplateSpec pod : podTemplates(r)) {
      String owner = pod.getMetadata().getLabels().get("app.kubernetes.io/component");
      secretsOf(pod).forEach(s -> bySecret.computeIfAbsent(s, k -> new HashSet<>()).add(owner));
    }
    for (Secret s : r.all(Secret.class)) {
      assertThat(bySecret.get(s.getMetadata().getName()))
          .as("pods using Secret %s", s.getMetadata().getName())
          .containsExactly("controller");
      // its values are nowhere in a ConfigMap
      for (String v : s.getData().values()) {
        String plain = new String(java.util.Base64.getDecoder().decode(v));
        r.all(ConfigMap.class)
            .forEach(c -> assertThat(c.getData().values()).noneMatch(d -> d.contains(plain)));
      }
    }
    bySecret.values().forEach(users -> assertThat(users).containsExactly("controller"));
    assertThat(secretsOf(r.agent().getSpec().getTemplate())).isEmpty();
    if (!example.contains("two-subnet-pools")) {
      assertThat(bySecret).hasSize(1);
      assertThat(r.controllerConfig().providerSettings())
          .containsEntry("auth.password", "secret:OS_PASSWORD");
    }
  }

  private static Set<String> secretsOf(PodTemplateSpec pod) {
    Set<String> out = new HashSet<>();
    for (Volume v : pod.getSpec().getVolumes()) {
      if (v.getSecret() != null) {
        out.add(v.getSecret().getSecretName());
      }
      if (v.getProjected() != null) {
        v.getProjected().getSources().stream()
            .filter(s -> s.getSecret() != null)
            .forEach(s -> out.add(s.getSecret().getName()));
      }
    }
    Release.allContainers(pod)
        .forEach(
            c -> {
              c.getEnv().stream()
                  .filter(
                      e -> e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null)
                  .forEach(e -> out.add(e.getValueFrom().getSecretKeyRef().getName()));
              c.getEnvFrom().stream()
                  .filter(e -> e.getSecretRef() != null)
                  .forEach(e -> out.add(e.getSecretRef().getName()));
            });
    return out;
  }

  @ParameterizedTest
  @FieldSource("examples")
  void agentRunsUnprivilegedInTheHostNetworkOnEveryNode(String example) {
    Release r = Release.of(example);
    DaemonSet ds = r.agent();
    var pod = ds.getSpec().getTemplate().getSpec();
    assertThat(pod.getHostNetwork()).isTrue();
    assertThat(pod.getPriorityClassName()).isEqualTo("system-node-critical");
    assertThat(pod.getTolerations()).extracting(Toleration::getOperator).contains("Exists");
    assertThat(ds.getSpec().getUpdateStrategy().getType()).isEqualTo("RollingUpdate");
    assertThat(ds.getSpec().getUpdateStrategy().getRollingUpdate().getMaxUnavailable()).isNotNull();
    Container agent = r.agentContainer();
    var sc = agent.getSecurityContext();
    assertThat(sc.getPrivileged()).isFalse();
    assertThat(sc.getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(sc.getCapabilities().getAdd()).containsExactlyInAnyOrder("NET_ADMIN", "SYS_ADMIN");
    assertThat(agent.getEnv())
        .anySatisfy(
            e -> {
              assertThat(e.getName()).isEqualTo("NODE_NAME");
              assertThat(e.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("spec.nodeName");
            });
    assertThat(mountPaths(agent))
        .contains(
            "/run/vpc-cni",
            "/var/lib/vpc-cni",
            "/var/run/netns",
            "/var/lib/kubelet/device-plugins");
    assertThat(agent.getVolumeMounts())
        .filteredOn(m -> m.getMountPath().equals("/var/run/netns"))
        .extracting(VolumeMount::getMountPropagation)
        .containsExactly("HostToContainer");
    assertThat(hostPaths(r, agent))
        .contains(
            "/run/vpc-cni",
            "/var/lib/vpc-cni",
            "/var/run/netns",
            "/var/lib/kubelet/device-plugins");
    // sysctls go through the host's /proc/sys/net: the container's /proc/sys is read-only
    assertThat(hostPaths(r, agent)).contains("/proc/sys/net");
    assertThat(mountPaths(agent)).contains("/host/proc/sys/net");
    assertThat(agent.getEnv())
        .filteredOn(e -> e.getName().equals("VPC_CNI_JAVA_OPTS"))
        .singleElement()
        .satisfies(
            e ->
                assertThat(e.getValue())
                    .contains("-D" + io.vpccni.netlink.Sysctl.ROOT_PROPERTY + "=/host/proc/sys"));
    assertThat(agent.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/metrics");
    assertThat(agent.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/metrics");
    Container install = Release.container(ds.getSpec().getTemplate(), "install-cni");
    assertThat(pod.getInitContainers()).containsExactly(install);
    assertThat(hostPaths(r, install)).containsExactlyInAnyOrder("/opt/cni/bin", "/etc/cni/net.d");
    assertThat(install.getSecurityContext().getCapabilities().getAdd()).isNullOrEmpty();
    String script = String.join("\n", install.getCommand());
    assertThat(script)
        .contains("/opt/vpc-cni/cni", "vpc-cni.d", "/host/etc/cni/net.d/10-vpc-cni.conflist");
  }

  @ParameterizedTest
  @FieldSource("examples")
  void controllerRunsTwoReplicasOnDifferentNodes(String example) {
    Release r = Release.of(example);
    Deployment d = r.controller();
    assertThat(d.getSpec().getReplicas()).isEqualTo(2);
    var anti = d.getSpec().getTemplate().getSpec().getAffinity().getPodAntiAffinity();
    var terms =
        Stream.concat(
                anti.getRequiredDuringSchedulingIgnoredDuringExecution().stream(),
                anti.getPreferredDuringSchedulingIgnoredDuringExecution().stream()
                    .map(w -> w.getPodAffinityTerm()))
            .toList();
    assertThat(terms).hasSize(1);
    assertThat(terms.getFirst().getTopologyKey()).isEqualTo("kubernetes.io/hostname");
    assertThat(terms.getFirst().getLabelSelector().getMatchLabels())
        .isEqualTo(d.getSpec().getSelector().getMatchLabels());
    Container c = r.controllerContainer();
    assertThat(c.getPorts()).extracting(p -> p.getContainerPort()).containsExactly(61679);
    assertThat(c.getResources().getRequests()).containsKeys("cpu", "memory");
    assertThat(c.getEnv()).anyMatch(e -> e.getName().equals("POD_NAME"));
    // pods get IPs from the pools the controller fills: it cannot wait for one itself
    assertThat(d.getSpec().getTemplate().getSpec().getHostNetwork()).isTrue();
  }

  private static List<String> mountPaths(Container c) {
    return c.getVolumeMounts().stream().map(VolumeMount::getMountPath).toList();
  }

  private static List<String> hostPaths(Release r, Container c) {
    PodTemplateSpec pod = r.agent().getSpec().getTemplate();
    Set<String> mounted =
        c.getVolumeMounts().stream().map(VolumeMount::getName).collect(Collectors.toSet());
    return pod.getSpec().getVolumes().stream()
        .filter(v -> mounted.contains(v.getName()) && v.getHostPath() != null)
        .map(v -> v.getHostPath().getPath())
        .toList();
  }
}
