package io.vpccni.netlink;

import io.vpccni.netlink.internal.Errors;
import io.vpccni.netlink.internal.NlError;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Probes for the optional link kinds the datapaths use. Each is computed once, on first use, by
 * asking the kernel to create a link of that kind without a lower device, in the calling thread's
 * namespace: a kernel that knows the kind refuses the missing link (EINVAL or ENODEV) and one that
 * does not answers EOPNOTSUPP ("Unknown device type"). Nothing is created. If the kind is built as
 * a module, the kernel loads it while answering, as {@code ip link add} would.
 */
public final class KernelProbes {
  private KernelProbes() {}

  public static final Probe IPVLAN = new LinkKindProbe("ipvlan");
  public static final Probe VLAN = new LinkKindProbe("vlan");
  public static final Probe MACVLAN = new LinkKindProbe("macvlan");

  private static final class LinkKindProbe implements Probe {
    private final String kind;
    private volatile Result result;

    private record Result(Throwable cause) {}

    LinkKindProbe(String kind) {
      this.kind = kind;
    }

    @Override
    public String name() {
      return kind;
    }

    @Override
    public boolean isAvailable() {
      return result().cause() == null;
    }

    @Override
    public Throwable unavailabilityCause() {
      return result().cause();
    }

    private Result result() {
      Result r = result;
      if (r == null) {
        synchronized (this) {
          r = result;
          if (r == null) {
            r = new Result(probe());
            result = r;
          }
        }
      }
      return r;
    }

    private Throwable probe() {
      String op = "RTM_NEWLINK kind " + kind;
      try (Netlink nl = Netlink.open()) {
        String name = null;
        NlError e = null;
        // EEXIST only says that a link has the random name; try another one.
        for (int attempt = 0; attempt < 3 && (e == null || e.errno() == Errors.EEXIST); attempt++) {
          name = "vpcprobe" + Integer.toString(ThreadLocalRandom.current().nextInt(1 << 25), 36);
          e = nl.probeLinkKind(name, kind);
        }
        switch (e.errno()) {
          case Errors.EINVAL, Errors.ENODEV -> {
            return null;
          }
          case 0 -> {
            // Not expected for any kind probed; undo rather than leave a link behind.
            try {
              nl.linkDel(name);
            } catch (NotFoundException gone) {
              // already gone
            }
            return null;
          }
          case Errors.EOPNOTSUPP -> {
            return new UnsupportedOperationException(
                "the kernel has no " + kind + " support (" + op + ": EOPNOTSUPP)",
                Errors.of(op, e.errno(), e.extAck(), false));
          }
          default -> {
            return new UnsupportedOperationException(
                "cannot tell whether the kernel supports "
                    + kind
                    + " ("
                    + op
                    + ": "
                    + Errors.name(e.errno())
                    + ")",
                Errors.of(op, e.errno(), e.extAck(), false));
          }
        }
      } catch (RuntimeException e) {
        return new UnsupportedOperationException(
            "cannot probe " + kind + " support: " + e.getMessage(), e);
      }
    }

    @Override
    public String toString() {
      Throwable c = unavailabilityCause();
      return kind + (c == null ? ": available" : ": unavailable: " + c.getMessage());
    }
  }
}
