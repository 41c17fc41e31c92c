/**
 * rtnetlink for the agent, on the JDK's Foreign Function &amp; Memory API: {@link
 * io.vpccni.netlink.Netlink} (a handle bound to one network namespace, with verbs named after
 * {@code ip}'s: {@code linkAdd}-style creators, {@code addrAdd}, {@code routeReplace}, {@code
 * ruleAdd}, {@code neighSet}...), the values it reads and writes ({@link io.vpccni.netlink.Link},
 * {@link io.vpccni.netlink.Addr}, {@link io.vpccni.netlink.Route}, {@link io.vpccni.netlink.Rule},
 * {@link io.vpccni.netlink.Neigh}; each prints the way {@code ip} shows it), {@link
 * io.vpccni.netlink.Netns} (namespace handles, the one way to run code inside a namespace, and
 * {@code ip netns add|del}-compatible creation and deletion of named namespaces), {@link
 * io.vpccni.netlink.Sysctl}, and {@link io.vpccni.netlink.KernelProbes}.
 *
 * <p>Errors are typed so that teardown is idempotent: {@link io.vpccni.netlink.NotFoundException}
 * (with {@link io.vpccni.netlink.LinkNotFoundException} and {@link
 * io.vpccni.netlink.NetnsGoneException}), {@link io.vpccni.netlink.ExistsException}, and {@link
 * io.vpccni.netlink.NetlinkException} with the errno and the kernel's extended-ack text.
 *
 * <p>Read {@code README.md} in this directory before touching {@link io.vpccni.netlink.Netns}.
 *
 * <p>Rules (held by {@code ArchitectureTest}): depends on the JDK and {@code io.vpccni.netaddr}
 * only; no logging, no console output, no subprocesses, no virtual threads; all native code lives
 * in {@code io.vpccni.netlink.internal.ffm}. Message encoding and decoding live in {@code
 * io.vpccni.netlink.internal} and are tested without root.
 */
package io.vpccni.netlink;
