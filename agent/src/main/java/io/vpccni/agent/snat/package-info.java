/**
 * Table {@code ip vpccni_nat} on the node (shared mode): the return path of connections that came
 * in through the primary interface (NodePort), and SNAT of pod traffic leaving the VPC to the
 * node's primary address ({@code snat} in the agent config). {@link SnatRenderer} is the pure
 * script writer; {@link SnatManager} reads the node's primary interface and address, adds the
 * {@code fwmark} rule that routes marked traffic out of the primary interface, and applies the
 * script through the policy package's {@code Nft}, the agent's one subprocess. May use {@code
 * config}, {@code datapath} (names, node network) and {@code netlink}; never the pool's internals
 * or the cloud. See {@code docs/snat.md}.
 */
package io.vpccni.agent.snat;
