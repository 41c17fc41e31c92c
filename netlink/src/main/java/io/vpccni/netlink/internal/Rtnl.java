package io.vpccni.netlink.internal;

/**
 * Numbers from the kernel's uapi headers (linux/netlink.h, linux/rtnetlink.h, linux/if_link.h,
 * linux/if_addr.h, linux/fib_rules.h, linux/neighbour.h, linux/veth.h). Only the ones we use.
 */
public final class Rtnl {
  private Rtnl() {}

  public static final int NLMSG_HDRLEN = 16;

  // nlmsghdr types
  public static final int NLMSG_NOOP = 1;
  public static final int NLMSG_ERROR = 2;
  public static final int NLMSG_DONE = 3;
  public static final int NLMSG_OVERRUN = 4;
  public static final int RTM_NEWLINK = 16;
  public static final int RTM_DELLINK = 17;
  public static final int RTM_GETLINK = 18;
  public static final int RTM_NEWADDR = 20;
  public static final int RTM_DELADDR = 21;
  public static final int RTM_GETADDR = 22;
  public static final int RTM_NEWROUTE = 24;
  public static final int RTM_DELROUTE = 25;
  public static final int RTM_GETROUTE = 26;
  public static final int RTM_NEWNEIGH = 28;
  public static final int RTM_DELNEIGH = 29;
  public static final int RTM_GETNEIGH = 30;
  public static final int RTM_NEWRULE = 32;
  public static final int RTM_DELRULE = 33;
  public static final int RTM_GETRULE = 34;
  public static final int RTM_NEWQDISC = 36;
  public static final int RTM_DELQDISC = 37;

  // nlmsghdr flags
  public static final int NLM_F_REQUEST = 0x1;
  public static final int NLM_F_MULTI = 0x2;
  public static final int NLM_F_ACK = 0x4;
  public static final int NLM_F_DUMP_INTR = 0x10;
  public static final int NLM_F_ROOT = 0x100;
  public static final int NLM_F_MATCH = 0x200;
  public static final int NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;
  public static final int NLM_F_REPLACE = 0x100;
  public static final int NLM_F_EXCL = 0x200;
  public static final int NLM_F_CREATE = 0x400;
  // flags of an NLMSG_ERROR message
  public static final int NLM_F_CAPPED = 0x100;
  public static final int NLM_F_ACK_TLVS = 0x200;
  // extended ack attributes
  public static final int NLMSGERR_ATTR_MSG = 1;
  public static final int NLMSGERR_ATTR_OFFS = 2;

  public static final int AF_UNSPEC = 0;
  public static final int AF_INET = 2;
  public static final int AF_INET6 = 10;

  // ifinfomsg and link attributes
  public static final int IFINFOMSG_LEN = 16;
  public static final int IFF_UP = 0x1;
  public static final int IFLA_ADDRESS = 1;
  public static final int IFLA_IFNAME = 3;
  public static final int IFLA_MTU = 4;
  public static final int IFLA_LINK = 5;
  public static final int IFLA_MASTER = 10;
  public static final int IFLA_LINKINFO = 18;
  public static final int IFLA_NET_NS_PID = 19;
  public static final int IFLA_NET_NS_FD = 28;
  public static final int IFLA_EXT_MASK = 29;
  public static final int IFLA_MAX_USED = 64;
  public static final int RTEXT_FILTER_SKIP_STATS = 1 << 3;
  public static final int IFLA_INFO_KIND = 1;
  public static final int IFLA_INFO_DATA = 2;
  public static final int VETH_INFO_PEER = 1;
  public static final int IFLA_MACVLAN_MODE = 1;
  public static final int IFLA_VLAN_ID = 1;
  public static final int IFLA_IPVLAN_MODE = 1;

  // ifaddrmsg and address attributes
  public static final int IFADDRMSG_LEN = 8;
  public static final int IFA_ADDRESS = 1;
  public static final int IFA_LOCAL = 2;
  public static final int IFA_MAX_USED = 12;

  // rtmsg and route attributes
  public static final int RTMSG_LEN = 12;
  public static final int RTN_UNICAST = 1;
  public static final int RTM_F_CLONED = 0x200;
  public static final int RTNH_F_ONLINK = 0x4;
  public static final int RT_TABLE_UNSPEC = 0;
  public static final int RTA_DST = 1;
  public static final int RTA_OIF = 4;
  public static final int RTA_GATEWAY = 5;
  public static final int RTA_PRIORITY = 6;
  public static final int RTA_PREFSRC = 7;
  public static final int RTA_TABLE = 15;
  public static final int RTA_VIA = 18;
  public static final int RTA_MAX_USED = 32;

  // fib_rule_hdr and rule attributes
  public static final int FIB_RULE_HDR_LEN = 12;
  public static final int FR_ACT_TO_TBL = 1;
  public static final int FRA_DST = 1;
  public static final int FRA_SRC = 2;
  public static final int FRA_IIFNAME = 3;
  public static final int FRA_PRIORITY = 6;
  public static final int FRA_FWMARK = 10;
  public static final int FRA_TABLE = 15;
  public static final int FRA_FWMASK = 16;
  public static final int FRA_MAX_USED = 32;

  // ndmsg and neighbour attributes
  public static final int NDMSG_LEN = 12;
  public static final int NDA_DST = 1;
  public static final int NDA_LLADDR = 2;
  public static final int NDA_IFINDEX = 8;
  public static final int NDA_MAX_USED = 16;

  public static int align(int len) {
    return (len + 3) & ~3;
  }
}
