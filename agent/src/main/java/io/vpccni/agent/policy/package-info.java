/**
 * Kubernetes NetworkPolicy on the node, with nftables: {@link PolicyCompiler} turns policies,
 * namespaces and pods into what each local pod allows ({@link PodRules}), pure and testable without
 * a kernel; {@link NftRenderer} writes that as one nftables script that replaces the whole table in
 * one transaction; {@link Nft} runs it. {@link PolicyEnforcer} keeps it in force and publishes what
 * is, as {@link PolicyState}, for introspection.
 */
package io.vpccni.agent.policy;
