/**
 * The cloud SPI the controller programs against: {@link io.vpccni.cloud.VpcApi} (instances, ENIs,
 * secondary IPs, subnets), its value records, {@link io.vpccni.cloud.CloudException} with a stable
 * {@link io.vpccni.cloud.CloudException.Reason}, {@link io.vpccni.cloud.OwnershipTags}, the
 * rate-limiting and retrying decorators, and {@link io.vpccni.cloud.VpcApis} to find a provider by
 * name.
 *
 * <p>Mechanism only: nothing here decides pool sizes, subnets or garbage (that is the controller's
 * policy), and nothing here logs; failures are thrown as {@code CloudException}. Depends on {@code
 * io.vpccni.netaddr} and the JDK; never on an SDK, Jackson or a logging API.
 */
package io.vpccni.cloud;
