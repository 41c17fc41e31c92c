/**
 * The only package that links native code: libc downcall handles ({@link
 * io.vpccni.netlink.internal.ffm.Libc}; socket, bind, setsockopt, sendto, recv, close, open, setns,
 * ioctl(NS_GET_NSTYPE), fstat, strerror; and for adding and deleting named namespaces mkdir, flock,
 * unlink, mount, umount2, unshare), created once in static finals with errno captured by the
 * linker, and the netlink socket with its reused native buffers ({@link
 * io.vpccni.netlink.internal.ffm.NetlinkSocket}). Wrappers return {@code -errno} rather than
 * throwing so that callers choose the typed exception. Not API.
 */
package io.vpccni.netlink.internal.ffm;
