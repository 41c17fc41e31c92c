package io.vpccni.agent.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.vpccni.agent.policy.PolicyPod.NamedPort;
import io.vpccni.netaddr.IpAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The NetworkPolicy truth table on the compiled form: for each case, policies and every verdict
 * written out. The same semantics run with real packets through nftables in {@code
 * PrivilegedNftPolicyTest}.
 */
class PolicyCompilerTest {
  static final KubernetesSerialization YAML = new KubernetesSerialization();

  static final Map<String, Map<String, String>> NAMESPACES =
      Map.of("prod", Map.of("team", "a"), "dev", Map.of("team", "b"));

  static PolicyPod pod(
      String ns, String name, String ip, Map<String, String> labels, NamedPort... ports) {
    return new PolicyPod(ns, name, Optional.of(IpAddress.parse(ip)), labels, Arrays.asList(ports));
  }

  static final PolicyPod PROD_WEB =
      pod(
          "prod",
          "web",
          "10.0.1.10",
          Map.of("app", "web"),
          new NamedPort("http", Protocol.TCP, 8080));
  static final PolicyPod PROD_DB =
      pod(
          "prod",
          "db",
          "10.0.1.11",
          Map.of("app", "db", "tier", "data"),
          new NamedPort("pg", Protocol.TCP, 5432));
  static final PolicyPod PROD_CLIENT = pod("prod", "client", "10.0.1.12", Map.of("app", "client"));
  static final PolicyPod DEV_CLIENT = pod("dev", "client", "10.0.2.12", Map.of("app", "client"));
  static final PolicyPod DEV_WEB =
      pod(
          "dev",
          "web",
          "10.0.2.10",
          Map.of("app", "web"),
          new NamedPort("http", Protocol.TCP, 9090));
  static final List<PolicyPod> PODS = List.of(PROD_WEB, PROD_DB, PROD_CLIENT, DEV_CLIENT, DEV_WEB);

  static NetworkPolicy policy(String yaml) {
    return YAML.unmarshal(
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n" + yaml, NetworkPolicy.class);
  }

  /** One expected verdict: from → to, protocol, port. */
  record Probe(PolicyPod from, String to, Protocol proto, int port, boolean allowed) {}

  static Probe ok(PolicyPod from, PolicyPod to, Protocol p, int port) {
    return new Probe(from, to.key(), p, port, true);
  }

  static Probe no(PolicyPod from, PolicyPod to, Protocol p, int port) {
    return new Probe(from, to.key(), p, port, false);
  }

  static final Protocol TCP = Protocol.TCP;
  static final Protocol UDP = Protocol.UDP;

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of(
            "no policy: everything flows",
            List.of(),
            List.of(ok(PROD_CLIENT, PROD_WEB, TCP, 8080), ok(DEV_CLIENT, PROD_DB, UDP, 53))),
        Arguments.of(
            "default deny ingress in prod",
            List.of(
                "metadata: {name: deny, namespace: prod}\nspec: {podSelector: {}, policyTypes: [Ingress]}"),
            List.of(
                no(PROD_CLIENT, PROD_WEB, TCP, 8080),
                no(DEV_CLIENT, PROD_DB, UDP, 53),
                ok(PROD_CLIENT, DEV_WEB, TCP, 9090),
                ok(PROD_WEB, DEV_CLIENT, TCP, 1))),
        Arguments.of(
            "podSelector peer: same namespace only",
            List.of(
                "metadata: {name: p, namespace: prod}\nspec:\n  podSelector: {matchLabels: {app: web}}\n  ingress:\n  - from: [{podSelector: {matchLabels: {app: client}}}]"),
            List.of(
                ok(PROD_CLIENT, PROD_WEB, TCP, 8080),
                no(DEV_CLIENT, PROD_WEB, TCP, 8080),
                no(PROD_DB, PROD_WEB, TCP, 8080),
                ok(DEV_CLIENT, PROD_DB, TCP, 5432))),
        Arguments.of(
            "namespaceSelector peer",
            List.of(
                "metadata: {name: p, namespace: prod}\nspec:\n  podSelector: {matchLabels: {app: web}}\n  ingress:\n  - from: [{namespaceSelector: {matchLabels: {team: b}}}]"),
            List.of(
                ok(DEV_CLIENT, PROD_WEB, TCP, 8080),
                ok(DEV_WEB, PROD_WEB, UDP, 1),
                no(PROD_CLIENT, PROD_WEB, TCP, 8080))),
        Arguments.of(
            "namespaceSelector and podSelector in one peer: both must match",
            List.of(
                "metadata: {name: p, namespace: prod}\nspec:\n  podSelector: {matchLabels: {app: web}}\n  ingress:\n  - from: [{namespaceSelector: {matchLabels: {team: b}}, podSelector: {matchLabels: {app: client}}}]"),
            List.of(
                ok(DEV_CLIENT, PROD_WEB, TCP, 8080),
                no(DEV_WEB, PROD_WEB, TCP, 8080),
                no(PROD_CLIENT, PROD_WEB, TCP, 8080))),
        Arguments.of(
            "two peers: either may match",
            List.of(
                "metadata: {name: p, namespace: prod}\nspec:\n  podSelector: {matchLabels: {app: web}}\n  ingress:\n  - from: [{namespaceSelector: {matchLabels: {team: b}}}, {podSelector: {matchLabels: {app: client}}}]"),
            List.of(
                ok(DEV_WEB, PROD_WEB, TCP, 8080),
                ok(PROD_CLIENT, PROD_WEB, TCP, 8080),
                no(PROD_DB, PROD_WEB, TCP, 8080))),
        Arguments.of(
            "ipBlock with except",
            List.of(
                "metadata: {name: p, namespace: prod}\nspec:\n  podSelector: {matchLabels: {app: web}}\n  ingress:\n  - from: [{ipBlock: {cidr: 10.0.0.0/16, except: [10.0.2.0/24]}}]"),
            List.of(ok(PROD_CLIENT, PROD_WEB, TCP, 8080), no(DEV_CLIENT, PROD_WEB, TCP, 8080))),
        Arguments.of(
            "one TCP port",
            List.of(
                "metadata: {name: p, namespace: prod}\nspec:\n  podSelector: {matchLabels: {app: web}}\n  ingress:\n  - ports: [{port: 8080}]"),
            List.of(
                ok(DEV_CLIENT, PROD_WEB, TCP, 8080),
                no(DEV_CLIENT, PROD_WEB, TCP, 80),
                no(DEV_CLIENT, PROD_WEB, UDP, 8080))),
        Arguments.of(
            "UDP port range with endPort",
            List.of(
                "metadata: {name: p, namespace: prod}\nspec:\n  podSelector: {matchLabels: {app: db}}\n  ingress:\n  - ports: [{protocol: UDP, port: 53, endPort: 60}]"),
            List.of(
                ok(PROD_CLIENT, PROD_DB, UDP, 53),
                ok(PROD_CLIENT, PROD_DB, UDP, 60),
                no(PROD_CLIENT, PROD_DB, UDP, 61),
                no(PROD_CLIENT, PROD_DB, TCP, 55))),
        Arguments.of(
            "named port on ingress resolves on the selected pod",
            List.of(
                "metadata: {name: p, namespace: prod}\nspec:\n  podSelector: {}\n  ingress:\n  - ports: [{port: http}]"),
            List.of(
                ok(PROD_CLIENT, PROD_WEB, TCP, 8080),
                no(PROD_CLIENT, PROD_WEB, TCP, 9090),
                no(PROD_CLIENT, PROD_DB, TCP, 8080))),
        Arguments.of(
            "named port on egress resolves on each destination pod",
            List.of(
                "metadata: {name: p, namespace: prod}\nspec:\n  podSelector: {matchLabels: {app: client}}\n  egress:\n  - to: [{namespaceSelector: {}, podSelector: {matchLabels: {app: web}}}]\n    ports: [{port: http}]"),
            List.of(
                ok(PROD_CLIENT, PROD_WEB, TCP, 8080),
                ok(PROD_CLIENT, DEV_WEB, TCP, 9090),
                no(PROD_CLIENT, DEV_WEB, TCP, 8080),
                no(PROD_CLIENT, PROD_DB, TCP, 5432))),
        Arguments.of(
            "egress rules without policyTypes isolate both directions",
            List.of(
                "metadata: {name: p, namespace: prod}\nspec:\n  podSelector: {matchLabels: {app: client}}\n  egress:\n  - to: [{podSelector: {matchLabels: {app: db}}}]"),
            List.of(
                ok(PROD_CLIENT, PROD_DB, TCP, 5432),
                no(PROD_CLIENT, PROD_WEB, TCP, 8080),
                no(PROD_WEB, PROD_CLIENT, TCP, 22))),
        Arguments.of(
            "policyTypes Egress alone: deny all egress, ingress open",
            List.of(
                "metadata: {name: p, namespace: prod}\nspec: {podSelector: {matchLabels: {app: client}}, policyTypes: [Egress]}"),
            List.of(no(PROD_CLIENT, PROD_DB, TCP, 5432), ok(PROD_WEB, PROD_CLIENT, TCP, 22))),
        Arguments.of(
            "policies add up",
            List.of(
                "metadata: {name: a, namespace: prod}\nspec:\n  podSelector: {matchLabels: {app: db}}\n  ingress:\n  - from: [{podSelector: {matchLabels: {app: web}}}]\n    ports: [{port: 5432}]",
                "metadata: {name: b, namespace: prod}\nspec:\n  podSelector: {matchLabels: {tier: data}}\n  ingress:\n  - ports: [{protocol: UDP, port: 9999}]"),
            List.of(
                ok(PROD_WEB, PROD_DB, TCP, 5432),
                no(PROD_CLIENT, PROD_DB, TCP, 5432),
                ok(PROD_CLIENT, PROD_DB, UDP, 9999),
                no(PROD_WEB, PROD_DB, UDP, 5432))),
        Arguments.of(
            "an empty rule allows everything",
            List.of(
                "metadata: {name: p, namespace: prod}\nspec:\n  podSelector: {}\n  ingress: [{}]"),
            List.of(ok(DEV_CLIENT, PROD_WEB, UDP, 1), ok(PROD_CLIENT, PROD_DB, TCP, 5432))),
        Arguments.of(
            "a policy selects only in its own namespace",
            List.of(
                "metadata: {name: p, namespace: dev}\nspec: {podSelector: {}, policyTypes: [Ingress, Egress]}"),
            List.of(
                ok(PROD_CLIENT, PROD_WEB, TCP, 8080),
                no(PROD_CLIENT, DEV_WEB, TCP, 9090),
                no(DEV_CLIENT, PROD_WEB, TCP, 8080))),
        Arguments.of(
            "matchExpressions NotIn and Exists",
            List.of(
                "metadata: {name: p, namespace: prod}\nspec:\n  podSelector: {matchExpressions: [{key: tier, operator: Exists}]}\n  ingress:\n  - from: [{podSelector: {matchExpressions: [{key: app, operator: NotIn, values: [client]}]}}]"),
            List.of(
                ok(PROD_WEB, PROD_DB, TCP, 5432),
                no(PROD_CLIENT, PROD_DB, TCP, 5432),
                ok(PROD_CLIENT, PROD_WEB, TCP, 8080))),
        Arguments.of(
            "SCTP",
            List.of(
                "metadata: {name: p, namespace: prod}\nspec:\n  podSelector: {matchLabels: {app: web}}\n  ingress:\n  - ports: [{protocol: SCTP, port: 3868}]"),
            List.of(
                new Probe(PROD_CLIENT, PROD_WEB.key(), Protocol.SCTP, 3868, true),
                no(PROD_CLIENT, PROD_WEB, TCP, 3868))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void truthTable(String name, List<String> yamls, List<Probe> probes) {
    var result =
        PolicyCompiler.compile(
            yamls.stream().map(PolicyCompilerTest::policy).toList(), NAMESPACES, PODS, PODS);
    assertThat(result.errors()).isEmpty();
    for (Probe p : probes) {
      assertThat(verdict(result.pods(), p))
          .as("%s → %s %s/%d", p.from().key(), p.to(), p.proto(), p.port())
          .isEqualTo(p.allowed());
    }
    // the renderer accepts every case (the kernel checks it in the privileged test)
    assertThat(NftRenderer.render(result.pods())).contains("chain forward");
  }

  /** Both the source's egress and the destination's ingress must allow a new connection. */
  static boolean verdict(List<PodRules> rules, Probe p) {
    PodRules src =
        rules.stream().filter(r -> r.pod().key().equals(p.from().key())).findFirst().orElseThrow();
    PodRules dst =
        rules.stream().filter(r -> r.pod().key().equals(p.to())).findFirst().orElseThrow();
    IpAddress dstIp = dst.pod().ip().orElseThrow();
    IpAddress srcIp = src.pod().ip().orElseThrow();
    return src.egress().allows(dstIp, p.proto(), p.port())
        && dst.ingress().allows(srcIp, p.proto(), p.port());
  }

  @org.junit.jupiter.api.Test
  void malformedPartsMatchNothingAndNameTheField() {
    var result =
        PolicyCompiler.compile(
            List.of(
                policy(
                    "metadata: {name: bad, namespace: prod}\nspec:\n  podSelector: {}\n  ingress:\n  - from: [{podSelector: {matchExpressions: [{key: app, operator: Near}]}}]\n  - ports: [{protocol: ICMP, port: 1}]\n  - from: [{ipBlock: {cidr: 10.0.0.0/33}}]")),
            NAMESPACES,
            PODS,
            PODS);
    assertThat(result.errors())
        .anySatisfy(
            e ->
                assertThat(e)
                    .contains("prod/bad: spec.ingress[0].from[0].podSelector")
                    .contains("Near"))
        .anySatisfy(
            e -> assertThat(e).contains("spec.ingress[1].ports[0].protocol").contains("ICMP"))
        .anySatisfy(
            e -> assertThat(e).contains("spec.ingress[2].from[0].ipBlock").contains("10.0.0.0/33"));
    // the pods are still isolated by the policy, and nothing malformed lets anything in
    assertThat(verdict(result.pods(), no(PROD_CLIENT, PROD_WEB, TCP, 1))).isFalse();
  }

  @org.junit.jupiter.api.Test
  void rendersSharedPeerSetsAndMergedPortRanges() {
    var result =
        PolicyCompiler.compile(
            List.of(
                policy(
                    "metadata: {name: p, namespace: prod}\nspec:\n  podSelector: {}\n  ingress:\n  - from: [{podSelector: {matchLabels: {app: client}}}]\n    ports: [{port: 80}, {port: 79, endPort: 81}, {port: 90}]")),
            NAMESPACES,
            PODS,
            PODS);
    String nft = NftRenderer.render(result.pods());
    assertThat(nft)
        .contains("set peers_0 {\n    type ipv4_addr;\n    elements = { 10.0.1.12 }\n  }")
        .doesNotContain("peers_1")
        .contains("ip saddr @peers_0 meta l4proto tcp th dport { 79-81, 90 } return")
        .contains(
            "ip daddr vmap { 10.0.1.10 : jump in_0, 10.0.1.11 : jump in_1, 10.0.1.12 : jump in_2 }")
        .startsWith("table inet vpccni_policy {}\ndelete table inet vpccni_policy\n");
  }
}
