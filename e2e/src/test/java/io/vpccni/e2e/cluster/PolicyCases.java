package io.vpccni.e2e.cluster;

import java.util.List;

/**
 * The NetworkPolicy truth table of {@link PrivilegedNetworkPolicyTest}: each case's policies (YAML,
 * {@code HOST} replaced by the VPC host's address) and the verdict of every probed pair, written by
 * hand from the Kubernetes NetworkPolicy documentation, never computed by the code under test.
 *
 * <p>The endpoints (see the test for their labels and named ports):
 *
 * <pre>
 *   name     namespace  labels                node  named ports
 *   web1     prod       app=web               1     http=TCP 8080, dns=UDP 5353
 *   db       prod       app=db                1
 *   dclient  dev        app=client            1
 *   web2     prod       app=web               2     http=TCP 8081, dns=UDP 5353
 *   client   prod       app=client            2
 *   dweb     dev        app=web               2     http=TCP 8080
 *   host     (the VPC host, outside the cluster)
 *   namespaces: prod {env=prod}, dev {env=dev}
 * </pre>
 *
 * Every endpoint listens on TCP 80, 8080, 8081, 9000, 9005, 9010 and UDP 53, 5353, 7000, 7005,
 * 7010. A line reads {@code "src dst proto port verdict"}, verdict {@code +} (a connection or a UDP
 * request/reply completes) or {@code -} (it does not).
 */
final class PolicyCases {
  private PolicyCases() {}

  record Case(String name, List<String> policies, List<String> expect) {}

  static Case c(String name, List<String> policies, String... expect) {
    return new Case(name, policies, List.of(expect));
  }

  static final List<Case> ALL =
      List.of(
          c(
              "ingress: default deny for the selected pods",
              List.of(
                  "metadata: {name: deny-web, namespace: prod}\n"
                      + "spec: {podSelector: {matchLabels: {app: web}}, policyTypes: [Ingress]}"),
              "client web1 tcp 80 -",
              "client web2 tcp 80 -",
              "dclient web1 udp 53 -",
              "host web2 tcp 80 -",
              "client db tcp 80 +",
              "web1 client tcp 80 +",
              "dclient dweb tcp 80 +"),
          c(
              "ingress: empty podSelector isolates every pod of the namespace, no other",
              List.of(
                  "metadata: {name: deny-all, namespace: prod}\n"
                      + "spec: {podSelector: {}, policyTypes: [Ingress]}"),
              "dclient db tcp 80 -",
              "dclient web1 tcp 80 -",
              "web1 db tcp 80 -",
              "client web2 udp 53 -",
              "host client tcp 80 -",
              "dclient dweb tcp 80 +",
              "web1 dweb udp 53 +"),
          c(
              "ingress: podSelector peer (own namespace only)",
              List.of(
                  "metadata: {name: from-client, namespace: prod}\n"
                      + "spec: {podSelector: {matchLabels: {app: web}},"
                      + " ingress: [{from: [{podSelector: {matchLabels: {app: client}}}]}]}"),
              "client web1 tcp 80 +",
              "client web2 tcp 9000 +",
              "client web1 udp 53 +",
              "db web1 tcp 80 -",
              "dclient web1 tcp 80 -",
              "host web1 tcp 80 -"),
          c(
              "ingress: namespaceSelector peer",
              List.of(
                  "metadata: {name: from-dev, namespace: prod}\n"
                      + "spec: {podSelector: {matchLabels: {app: web}},"
                      + " ingress: [{from: [{namespaceSelector: {matchLabels: {env: dev}}}]}]}"),
              "dclient web1 tcp 80 +",
              "dweb web2 udp 53 +",
              "client web1 tcp 80 -",
              "db web1 tcp 80 -",
              "host web2 tcp 80 -"),
          c(
              "ingress: namespaceSelector and podSelector in one peer (AND)",
              List.of(
                  "metadata: {name: dev-clients, namespace: prod}\n"
                      + "spec: {podSelector: {matchLabels: {app: web}},"
                      + " ingress: [{from: [{namespaceSelector: {matchLabels: {env: dev}},"
                      + " podSelector: {matchLabels: {app: client}}}]}]}"),
              "dclient web1 tcp 80 +",
              "dclient web2 tcp 80 +",
              "dweb web1 tcp 80 -",
              "client web1 tcp 80 -",
              "client web2 udp 53 -"),
          c(
              "ingress: two peers (OR)",
              List.of(
                  "metadata: {name: dev-or-client, namespace: prod}\n"
                      + "spec: {podSelector: {matchLabels: {app: web}},"
                      + " ingress: [{from: [{namespaceSelector: {matchLabels: {env: dev}}},"
                      + " {podSelector: {matchLabels: {app: client}}}]}]}"),
              "dclient web1 tcp 80 +",
              "dweb web1 tcp 80 +",
              "client web2 tcp 80 +",
              "db web1 tcp 80 -",
              "host web1 tcp 80 -"),
          c(
              "ingress: two rules (OR), each with its own port",
              List.of(
                  "metadata: {name: two-rules, namespace: prod}\n"
                      + "spec: {podSelector: {matchLabels: {app: web}}, ingress: ["
                      + "{from: [{podSelector: {matchLabels: {app: client}}}], ports: [{port: 80}]},"
                      + " {from: [{podSelector: {matchLabels: {app: db}}}], ports: [{port: 9000}]}]}"),
              "client web1 tcp 80 +",
              "client web1 tcp 9000 -",
              "db web1 tcp 9000 +",
              "db web1 tcp 80 -",
              "client web2 udp 53 -"),
          c(
              "ingress: ipBlock of the VPC host",
              List.of(
                  "metadata: {name: from-host, namespace: prod}\n"
                      + "spec: {podSelector: {matchLabels: {app: web}},"
                      + " ingress: [{from: [{ipBlock: {cidr: HOST/32}}]}]}"),
              "host web1 tcp 80 +",
              "host web2 udp 53 +",
              "client web1 tcp 80 -",
              "dclient web1 tcp 80 -"),
          c(
              "ingress: ipBlock with except",
              List.of(
                  "metadata: {name: vpc-but-host, namespace: prod}\n"
                      + "spec: {podSelector: {matchLabels: {app: web}},"
                      + " ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/16, except: [HOST/32]}}]}]}"),
              "client web1 tcp 80 +",
              "dclient web2 tcp 80 +",
              "host web1 tcp 80 -",
              "host web2 udp 53 -"),
          c(
              "ingress: a TCP port from anywhere",
              List.of(
                  "metadata: {name: port-80, namespace: prod}\n"
                      + "spec: {podSelector: {matchLabels: {app: web}},"
                      + " ingress: [{ports: [{protocol: TCP, port: 80}]}]}"),
              "client web1 tcp 80 +",
              "client web1 tcp 8080 -",
              "dclient web2 tcp 80 +",
              "host web1 tcp 80 +",
              "client web1 udp 53 -"),
          c(
              "ingress: a UDP port",
              List.of(
                  "metadata: {name: udp-53, namespace: prod}\n"
                      + "spec: {podSelector: {matchLabels: {app: web}},"
                      + " ingress: [{ports: [{protocol: UDP, port: 53}]}]}"),
              "client web1 udp 53 +",
              "dclient web1 udp 53 +",
              "client web2 udp 7000 -",
              "client web1 tcp 80 -"),
          c(
              "ingress: TCP endPort range",
              List.of(
                  "metadata: {name: tcp-range, namespace: prod}\n"
                      + "spec: {podSelector: {matchLabels: {app: web}},"
                      + " ingress: [{ports: [{protocol: TCP, port: 9000, endPort: 9005}]}]}"),
              "client web1 tcp 9000 +",
              "client web1 tcp 9005 +",
              "client web1 tcp 9010 -",
              "client web2 tcp 80 -",
              "client web1 udp 7000 -"),
          c(
              "ingress: UDP endPort range",
              List.of(
                  "metadata: {name: udp-range, namespace: prod}\n"
                      + "spec: {podSelector: {matchLabels: {app: web}},"
                      + " ingress: [{ports: [{protocol: UDP, port: 7000, endPort: 7005}]}]}"),
              "client web1 udp 7000 +",
              "dclient web2 udp 7005 +",
              "client web1 udp 7010 -",
              "client web1 udp 53 -",
              "client web1 tcp 9000 -"),
          c(
              "ingress: a named TCP port resolves on each selected pod",
              List.of(
                  "metadata: {name: named-http, namespace: prod}\n"
                      + "spec: {podSelector: {matchLabels: {app: web}},"
                      + " ingress: [{ports: [{port: http}]}]}"),
              "client web1 tcp 8080 +",
              "client web1 tcp 8081 -",
              "client web2 tcp 8081 +",
              "client web2 tcp 8080 -",
              "dclient web1 tcp 80 -"),
          c(
              "ingress: a named UDP port",
              List.of(
                  "metadata: {name: named-dns, namespace: prod}\n"
                      + "spec: {podSelector: {matchLabels: {app: web}},"
                      + " ingress: [{ports: [{protocol: UDP, port: dns}]}]}"),
              "client web1 udp 5353 +",
              "dclient web2 udp 5353 +",
              "client web1 udp 53 -",
              "client web1 tcp 8080 -"),
          c(
              "egress: default deny for the selected pods",
              List.of(
                  "metadata: {name: deny-out, namespace: prod}\n"
                      + "spec: {podSelector: {matchLabels: {app: client}}, policyTypes: [Egress]}"),
              "client web1 tcp 80 -",
              "client web2 udp 53 -",
              "client host tcp 80 -",
              "web1 client tcp 80 +",
              "dclient web1 tcp 80 +"),
          c(
              "egress: podSelector peer",
              List.of(
                  "metadata: {name: to-web, namespace: prod}\n"
                      + "spec: {podSelector: {matchLabels: {app: client}}, policyTypes: [Egress],"
                      + " egress: [{to: [{podSelector: {matchLabels: {app: web}}}]}]}"),
              "client web1 tcp 80 +",
              "client web2 udp 53 +",
              "client db tcp 80 -",
              "client dweb tcp 80 -",
              "client host tcp 80 -"),
          c(
              "egress: namespaceSelector peer",
              List.of(
                  "metadata: {name: to-dev, namespace: prod}\n"
                      + "spec: {podSelector: {matchLabels: {app: client}}, policyTypes: [Egress],"
                      + " egress: [{to: [{namespaceSelector: {matchLabels: {env: dev}}}]}]}"),
              "client dweb tcp 80 +",
              "client dclient udp 53 +",
              "client web1 tcp 80 -",
              "client host udp 53 -"),
          c(
              "egress: ipBlock with except",
              List.of(
                  "metadata: {name: to-vpc-but-host, namespace: prod}\n"
                      + "spec: {podSelector: {matchLabels: {app: client}}, policyTypes: [Egress],"
                      + " egress: [{to: [{ipBlock: {cidr: 10.0.0.0/16, except: [HOST/32]}}]}]}"),
              "client web1 tcp 80 +",
              "client dclient udp 53 +",
              "client host tcp 80 -",
              "client host udp 53 -"),
          c(
              "egress: ipBlock of the VPC host only",
              List.of(
                  "metadata: {name: to-host, namespace: prod}\n"
                      + "spec: {podSelector: {matchLabels: {app: client}}, policyTypes: [Egress],"
                      + " egress: [{to: [{ipBlock: {cidr: HOST/32}}]}]}"),
              "client host tcp 80 +",
              "client host udp 53 +",
              "client web1 tcp 80 -",
              "client web2 tcp 80 -"),
          c(
              "egress: TCP endPort range to anywhere",
              List.of(
                  "metadata: {name: out-range, namespace: prod}\n"
                      + "spec: {podSelector: {matchLabels: {app: client}}, policyTypes: [Egress],"
                      + " egress: [{ports: [{protocol: TCP, port: 9000, endPort: 9005}]}]}"),
              "client web1 tcp 9000 +",
              "client host tcp 9005 +",
              "client web1 tcp 9010 -",
              "client web2 tcp 80 -",
              "client web1 udp 7000 -"),
          c(
              "egress: a named port resolves on each destination pod",
              List.of(
                  "metadata: {name: out-named, namespace: prod}\n"
                      + "spec: {podSelector: {matchLabels: {app: client}}, policyTypes: [Egress],"
                      + " egress: [{to: [{podSelector: {matchLabels: {app: web}}}],"
                      + " ports: [{port: http}]}]}"),
              "client web1 tcp 8080 +",
              "client web1 tcp 8081 -",
              "client web2 tcp 8081 +",
              "client web2 tcp 8080 -",
              "client dweb tcp 8080 -"),
          c(
              "egress: every UDP port, no TCP",
              List.of(
                  "metadata: {name: out-udp, namespace: prod}\n"
                      + "spec: {podSelector: {matchLabels: {app: client}}, policyTypes: [Egress],"
                      + " egress: [{ports: [{protocol: UDP}]}]}"),
              "client web1 udp 53 +",
              "client host udp 7010 +",
              "client web2 udp 5353 +",
              "client web1 tcp 80 -",
              "client host tcp 80 -"),
          c(
              "policyTypes omitted, ingress rules only: Ingress",
              List.of(
                  "metadata: {name: db-in, namespace: prod}\n"
                      + "spec: {podSelector: {matchLabels: {app: db}},"
                      + " ingress: [{from: [{podSelector: {matchLabels: {app: web}}}]}]}"),
              "web1 db tcp 80 +",
              "web2 db udp 53 +",
              "client db tcp 80 -",
              "db client tcp 80 +",
              "db host udp 53 +"),
          c(
              "policyTypes omitted, with egress rules: Ingress and Egress",
              List.of(
                  "metadata: {name: db-both, namespace: prod}\n"
                      + "spec: {podSelector: {matchLabels: {app: db}},"
                      + " ingress: [{from: [{podSelector: {matchLabels: {app: web}}}]}],"
                      + " egress: [{to: [{podSelector: {matchLabels: {app: web}}}]}]}"),
              "web1 db tcp 80 +",
              "client db tcp 80 -",
              "db web2 tcp 80 +",
              "db client tcp 80 -",
              "db host udp 53 -"),
          c(
              "policyTypes [Egress]: ingress rules are ignored, ingress stays open",
              List.of(
                  "metadata: {name: db-egress-only, namespace: prod}\n"
                      + "spec: {podSelector: {matchLabels: {app: db}}, policyTypes: [Egress],"
                      + " ingress: [{from: [{podSelector: {matchLabels: {app: web}}}]}],"
                      + " egress: [{to: [{podSelector: {matchLabels: {app: web}}}]}]}"),
              "client db tcp 80 +",
              "dclient db udp 53 +",
              "db web1 tcp 80 +",
              "db client tcp 80 -",
              "db host tcp 80 -"),
          c(
              "policyTypes [Ingress, Egress] with no rules: both denied",
              List.of(
                  "metadata: {name: db-sealed, namespace: prod}\n"
                      + "spec: {podSelector: {matchLabels: {app: db}},"
                      + " policyTypes: [Ingress, Egress]}"),
              "client db tcp 80 -",
              "web1 db udp 53 -",
              "db web1 tcp 80 -",
              "db host udp 53 -",
              "web1 client tcp 80 +"),
          c(
              "a policy of another namespace does not apply",
              List.of(
                  "metadata: {name: deny-web, namespace: dev}\n"
                      + "spec: {podSelector: {matchLabels: {app: web}}, policyTypes: [Ingress]}"),
              "dclient dweb tcp 80 -",
              "client dweb udp 53 -",
              "client web1 tcp 80 +",
              "dclient web2 tcp 80 +",
              "host web2 udp 53 +"),
          c(
              "two policies on the same pods add up",
              List.of(
                  "metadata: {name: client-80, namespace: prod}\n"
                      + "spec: {podSelector: {matchLabels: {app: web}},"
                      + " ingress: [{from: [{podSelector: {matchLabels: {app: client}}}],"
                      + " ports: [{port: 80}]}]}",
                  "metadata: {name: db-9000, namespace: prod}\n"
                      + "spec: {podSelector: {matchLabels: {app: web}},"
                      + " ingress: [{from: [{podSelector: {matchLabels: {app: db}}}],"
                      + " ports: [{port: 9000}]}]}"),
              "client web1 tcp 80 +",
              "db web1 tcp 9000 +",
              "client web2 tcp 9000 -",
              "db web1 tcp 80 -",
              "dclient web1 tcp 80 -"),
          c(
              "a namespace-wide deny and an allow for some pods add up",
              List.of(
                  "metadata: {name: deny-all, namespace: prod}\n"
                      + "spec: {podSelector: {}, policyTypes: [Ingress]}",
                  "metadata: {name: web-from-client, namespace: prod}\n"
                      + "spec: {podSelector: {matchLabels: {app: web}},"
                      + " ingress: [{from: [{podSelector: {matchLabels: {app: client}}}]}]}"),
              "client web1 tcp 80 +",
              "client web2 udp 53 +",
              "client db tcp 80 -",
              "web2 db tcp 80 -",
              "dclient client tcp 80 -"),
          c(
              "conntrack: the reply of an allowed egress passes a default-deny ingress",
              List.of(
                  "metadata: {name: client-out-only, namespace: prod}\n"
                      + "spec: {podSelector: {matchLabels: {app: client}},"
                      + " policyTypes: [Ingress, Egress],"
                      + " egress: [{to: [{podSelector: {matchLabels: {app: web}}}]}]}"),
              "client web1 tcp 80 +",
              "client web2 udp 53 +",
              "web1 client tcp 80 -",
              "dclient client udp 53 -",
              "client host tcp 80 -"),
          c(
              "conntrack: the reply of an allowed ingress passes a default-deny egress",
              List.of(
                  "metadata: {name: web-in-only, namespace: prod}\n"
                      + "spec: {podSelector: {matchLabels: {app: web}},"
                      + " policyTypes: [Ingress, Egress],"
                      + " ingress: [{from: [{podSelector: {matchLabels: {app: client}}}]}]}"),
              "client web1 tcp 80 +",
              "client web2 udp 53 +",
              "web1 client tcp 80 -",
              "web2 host udp 53 -",
              "db web1 tcp 80 -"),
          c(
              "egress of the source and ingress of the destination both decide",
              List.of(
                  "metadata: {name: client-to-web-80, namespace: prod}\n"
                      + "spec: {podSelector: {matchLabels: {app: client}}, policyTypes: [Egress],"
                      + " egress: [{to: [{podSelector: {matchLabels: {app: web}}}],"
                      + " ports: [{port: 80}]}]}",
                  "metadata: {name: web-from-prod, namespace: prod}\n"
                      + "spec: {podSelector: {matchLabels: {app: web}},"
                      + " ingress: [{from: [{namespaceSelector: {matchLabels: {env: prod}}}]}]}"),
              "client web1 tcp 80 +",
              "client web1 tcp 9000 -",
              "db web1 tcp 9000 +",
              "dclient web1 tcp 80 -",
              "client db tcp 80 -"),
          c(
              "ingress: matchExpressions (In)",
              List.of(
                  "metadata: {name: in-expr, namespace: prod}\n"
                      + "spec: {podSelector: {matchLabels: {app: web}},"
                      + " ingress: [{from: [{podSelector: {matchExpressions:"
                      + " [{key: app, operator: In, values: [client, db]}]}}]}]}"),
              "client web1 tcp 80 +",
              "db web1 udp 53 +",
              "dclient web1 tcp 80 -",
              "web2 web1 tcp 80 -"),
          c(
              "ingress: empty namespaceSelector means every namespace, not outside hosts",
              List.of(
                  "metadata: {name: any-ns, namespace: prod}\n"
                      + "spec: {podSelector: {matchLabels: {app: web}},"
                      + " ingress: [{from: [{namespaceSelector: {}}]}]}"),
              "client web1 tcp 80 +",
              "dclient web2 tcp 80 +",
              "dweb web1 udp 53 +",
              "host web1 tcp 80 -"),
          c(
              "ingress: ipBlock and a UDP port range together",
              List.of(
                  "metadata: {name: host-udp, namespace: prod}\n"
                      + "spec: {podSelector: {matchLabels: {app: web}},"
                      + " ingress: [{from: [{ipBlock: {cidr: HOST/32}}],"
                      + " ports: [{protocol: UDP, port: 7000, endPort: 7005}]}]}"),
              "host web1 udp 7000 +",
              "host web2 udp 7005 +",
              "host web1 tcp 80 -",
              "client web1 udp 7000 -"));
}
