/**
 * Test support for the cloud SPI: {@link io.vpccni.cloud.testkit.FakeVpcApi}, a stateful in-process
 * cloud with realistic rules and fault injection ({@link io.vpccni.cloud.testkit.FakeFaults}), and
 * {@link io.vpccni.cloud.testkit.VpcApiContractTest}, the behavioural suite every {@link
 * io.vpccni.cloud.VpcApi} provider subclasses in its own tests.
 *
 * <p>Ships in {@code src/main} so that provider and controller modules depend on it in test scope.
 * May import {@code io.vpccni.cloud}, {@code io.vpccni.netaddr}, JUnit's API and AssertJ; never a
 * provider module.
 */
package io.vpccni.cloud.testkit;
