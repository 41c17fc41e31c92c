/**
 * The {@code vpc-cni} CNI binary: {@code CNI_*} parsing ({@link io.vpccni.cni.CniEnv}), network
 * configuration checks ({@link io.vpccni.cni.NetConf}), result conversion between spec versions
 * ({@link io.vpccni.cni.ResultConverter}), and one request to the agent per invocation ({@link
 * io.vpccni.cni.CniPlugin}).
 *
 * <p>JDK, {@code agent-api} and {@code netaddr} only (the enforcer holds it). It starts a fresh JVM
 * for every pod, so: no logging library, no reflection, no {@code String.format} and no lambdas on
 * the start-up path. It writes only the result or error JSON to stdout, and at most one debug line
 * to the netconf's {@code logFile}.
 */
package io.vpccni.cni;
