/**
 * rtnetlink messages as plain {@link java.nio.ByteBuffer} code: building requests ({@link
 * io.vpccni.netlink.internal.NlMsgWriter}: nlmsghdr, family headers, 4-byte-aligned and nested
 * attributes), reading replies ({@link io.vpccni.netlink.internal.NlAttrs}, the {@code *Messages}
 * codecs), and the request/ack/dump discipline with typed errors ({@link
 * io.vpccni.netlink.internal.RtnlConn}, {@link io.vpccni.netlink.internal.Errors}) over a {@link
 * io.vpccni.netlink.internal.Transport}, so all of it is unit-tested with a scripted transport and
 * no root. Not API: other modules use {@code io.vpccni.netlink} only. May not use {@code
 * java.lang.foreign}.
 */
package io.vpccni.netlink.internal;
