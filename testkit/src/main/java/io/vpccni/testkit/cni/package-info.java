/**
 * Test support for CNI plugins run as processes: {@link io.vpccni.testkit.cni.CniExec} (exec with
 * {@code CNI_*} variables and stdin, as runtimes do), {@link io.vpccni.testkit.cni.CniConfigs} and
 * {@link io.vpccni.testkit.cni.JsonText} (configuration text), {@link
 * io.vpccni.testkit.cni.FakeAgent} (a stand-in for the agent's unix socket), {@link
 * io.vpccni.testkit.cni.BadInputCases} (malformed inputs with the error each must produce, for the
 * binary alone and for the binary in front of the real agent) and {@link
 * io.vpccni.testkit.cni.StartupBench}.
 *
 * <p>JDK and nothing else: no JSON library (only a writer here), no vpc-cni module, so that any
 * module's tests can use it.
 */
package io.vpccni.testkit.cni;
