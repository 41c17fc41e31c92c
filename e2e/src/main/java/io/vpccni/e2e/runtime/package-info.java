/**
 * The real-runtime harness: a private containerd with its CRI plugin, started per test run inside a
 * dedicated node network namespace ({@link io.vpccni.e2e.runtime.Containerd}), a minimal CRI {@code
 * runtime.v1} client ({@link io.vpccni.e2e.runtime.CriClient}), and a busybox OCI image written by
 * hand as the sandbox image ({@link io.vpccni.e2e.runtime.OciImage}, written by {@code
 * io.vpccni.e2e.image}).
 *
 * <p>Rules this package keeps: every name is derived from the run id (prefix {@code vce2e-}); every
 * wait is bounded; nothing is run in the test JVM's own network namespace except {@code ip netns
 * add/del}; commands enter namespaces with {@code nsenter --net} (a child process), never with
 * {@code setns} in the JVM. It may use the generated CRI stubs ({@code io.vpccni.e2e.cri.v1}), the
 * image writer ({@code io.vpccni.e2e.image}), gRPC and the JDK; it must not import product modules
 * (agent, cni-plugin), so it can prove itself with the reference plugins alone.
 */
package io.vpccni.e2e.runtime;
