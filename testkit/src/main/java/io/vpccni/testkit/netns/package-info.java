/**
 * Test support for code that touches network namespaces: {@link
 * io.vpccni.testkit.netns.NetnsExtension} (per-run names, guaranteed cleanup), {@link
 * io.vpccni.testkit.netns.Privileged} (skip unless root), {@link io.vpccni.testkit.netns.NetnsTest}
 * (the {@code netns} tier tag), {@link io.vpccni.testkit.netns.IpJson} (reads {@code ip -j}
 * output). Uses iproute2 subprocesses on purpose, so that it can check the netlink module from
 * outside; depends on the JUnit API only, and is used in test scope only.
 */
package io.vpccni.testkit.netns;
