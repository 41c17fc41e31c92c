/**
 * The kubelet device plugin (API v1beta1): advertises the node's pod capacity as the extended
 * resource {@code vpc-cni.io/eni-ip} (shared modes) or {@code vpc-cni.io/eni} (exclusive mode), so
 * the scheduler never places more pods than the node's ENIs can address. {@link EniCapacity} is the
 * pure formula; {@link DevicePlugin} serves it on a unix socket and registers with the kubelet,
 * again after every kubelet restart. Devices only account for capacity: the IP itself is assigned
 * by CNI ADD. May use {@code crd}, {@code config} and the generated {@code
 * io.vpccni.deviceplugin.v1beta1} stubs; never the pool's internals, the datapath or the cloud.
 */
package io.vpccni.agent.deviceplugin;
