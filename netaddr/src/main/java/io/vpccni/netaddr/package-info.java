/**
 * Value types for IPv4/IPv6 addresses, prefixes and MAC addresses. JDK only; no logging, no I/O, no
 * name resolution (parsing never touches DNS, unlike {@link java.net.InetAddress#getByName}).
 */
package io.vpccni.netaddr;
