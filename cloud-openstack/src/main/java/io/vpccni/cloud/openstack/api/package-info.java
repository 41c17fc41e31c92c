/**
 * Thin client of the OpenStack Networking (Neutron v2.0), Compute ({@code os-interface}) and
 * Identity (Keystone v3 password tokens) APIs, on {@link java.net.http.HttpClient} and Jackson 3.
 *
 * <p>This is the third layer of STYLE.md rule 3: it maps one method to one HTTP call, turns JSON
 * into records and error bodies into {@link io.vpccni.cloud.openstack.api.OpenStackApiException},
 * and decides nothing: no retries, no backoff, no read-modify-write, no choice of subnet or port.
 * The one exception is authentication mechanics (a Keystone token is fetched again once when a call
 * answers 401). {@link io.vpccni.cloud.openstack.api.PortWriteSerializer} is a mechanism the
 * provider layer uses to keep one write in flight per port.
 *
 * <p>May import: the JDK, {@code io.vpccni.netaddr}, {@code tools.jackson}. Must not import the
 * {@code cloud} SPI (the provider package adapts this client to it) and does not log.
 */
package io.vpccni.cloud.openstack.api;
