/**
 * The OpenStack provider of the {@code cloud} SPI: {@link
 * io.vpccni.cloud.openstack.OpenStackVpcApi} (ENIs as Neutron ports, attach/detach through Nova's
 * {@code os-interface}, instances as Nova servers with limits from a flavor table) and {@link
 * io.vpccni.cloud.openstack.OpenStackVpcApiProvider} ({@code openstack}, found by ServiceLoader).
 *
 * <p>The second layer of STYLE.md rule 3: it adapts the thin client ({@code
 * io.vpccni.cloud.openstack.api}) to {@link io.vpccni.cloud.VpcApi} and maps every {@code
 * OpenStackApiException} onto a {@link io.vpccni.cloud.CloudException.Reason}. May import the JDK,
 * {@code io.vpccni.netaddr}, {@code io.vpccni.cloud} and the client package; never Jackson or a
 * logging API (it throws), and nothing of the client escapes its methods.
 *
 * <p>{@code Facts} is all it remembers between calls: subnets' network ids and CIDRs (immutable in
 * Neutron) for the provider's life, servers' flavors and primary ports for 60 s; the module README
 * has the requests each call makes.
 */
package io.vpccni.cloud.openstack;
