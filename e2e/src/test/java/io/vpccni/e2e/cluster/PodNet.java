package io.vpccni.e2e.cluster;

import io.vpccni.netlink.Netns;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * One endpoint of the policy and SNAT tests: a network namespace of the local cluster (a pod's, the
 * VPC host's, a host outside the VPC) with TCP and UDP listeners that answer with the endpoint's
 * name (and, for SNAT, the source address they saw), and probes from it. A socket belongs to the
 * namespace it was created in, whatever thread uses it later, so each socket is created inside the
 * namespace ({@link Netns#run}, a fresh platform thread) and used from anywhere; nothing runs as a
 * subprocess.
 */
final class PodNet implements AutoCloseable {
  final String name;
  final String netns;
  final String ip;
  private final Netns ns;
  private final List<AutoCloseable> open = new ArrayList<>();

  PodNet(String name, String netns, String ip) {
    this.name = name;
    this.netns = netns;
    this.ip = ip;
    this.ns = Netns.open(Path.of("/run/netns", netns));
  }

  /** Listens on 0.0.0.0 for each port; every accepted connection and datagram gets the name. */
  PodNet listen(List<Integer> tcp, List<Integer> udp) throws Exception {
    byte[] reply = (name + "\n").getBytes(StandardCharsets.UTF_8);
    for (int port : tcp) {
      serveTcp("tcp-", port, 200, peer -> reply);
    }
    for (int port : udp) {
      serveUdp("udp-", port, peer -> reply);
    }
    return this;
  }

  /**
   * Listens on 0.0.0.0:{@code port}, TCP and UDP, answering every connection and datagram with
   * {@code "<name> <source address it came from>"}: where the SNAT tests read a packet's source.
   */
  PodNet reportPeer(int port) throws Exception {
    Function<InetAddress, byte[]> answer =
        peer -> (name + " " + peer.getHostAddress() + "\n").getBytes(StandardCharsets.UTF_8);
    serveTcp("peer-tcp-", port, 50, answer);
    serveUdp("peer-udp-", port, answer);
    return this;
  }

  /** A daemon answering each connection to 0.0.0.0:{@code port} with what {@code answer} says. */
  private void serveTcp(String thread, int port, int backlog, Function<InetAddress, byte[]> answer)
      throws Exception {
    ServerSocket ss = ns.run(() -> new ServerSocket(port, backlog));
    open.add(ss);
    daemon(
        thread + name + "-" + port,
        () -> {
          while (!ss.isClosed()) {
            try (Socket s = ss.accept()) {
              s.getOutputStream().write(answer.apply(s.getInetAddress()));
            } catch (IOException e) {
              // closed, or the peer went away: next
            }
          }
        });
  }

  /** A daemon answering each datagram to 0.0.0.0:{@code port} with what {@code answer} says. */
  private void serveUdp(String thread, int port, Function<InetAddress, byte[]> answer)
      throws Exception {
    DatagramSocket ds = ns.run(() -> new DatagramSocket(port));
    open.add(ds);
    daemon(
        thread + name + "-" + port,
        () -> {
          byte[] buf = new byte[64];
          while (!ds.isClosed()) {
            try {
              DatagramPacket d = new DatagramPacket(buf, buf.length);
              ds.receive(d);
              byte[] a = answer.apply(d.getAddress());
              ds.send(new DatagramPacket(a, a.length, d.getSocketAddress()));
            } catch (IOException e) {
              // closed: the loop ends
            }
          }
        });
  }

  /**
   * Connects over TCP to {@code ip:port} and reads the answer of a {@link #reportPeer} listener
   * within {@code timeoutMs}: {@code "<name> <source seen>"}, or {@code "failed: <cause>"}.
   */
  String askTcp(String ip, int port, int timeoutMs) throws Exception {
    SocketChannel ch = ns.run(SocketChannel::open);
    try (ch) {
      Socket s = ch.socket();
      s.connect(new InetSocketAddress(InetAddress.getByName(ip), port), timeoutMs);
      s.setSoTimeout(timeoutMs);
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      return "failed: " + e;
    }
  }

  /** As {@link #askTcp}, with one UDP datagram and its reply. */
  String askUdp(String ip, int port, int timeoutMs) throws Exception {
    DatagramSocket s = ns.run(DatagramSocket::new);
    try (s) {
      s.setSoTimeout(timeoutMs);
      s.send(new DatagramPacket(new byte[] {7}, 1, InetAddress.getByName(ip), port));
      DatagramPacket back = new DatagramPacket(new byte[64], 64);
      s.receive(back);
      return new String(back.getData(), 0, back.getLength(), StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      return "failed: " + e;
    }
  }

  /**
   * A TCP connection to {@code to}'s port that completes and brings back {@code to}'s name, within
   * {@code timeoutMs} (shorter than the kernel's 1 s SYN retransmit: one SYN decides).
   */
  boolean tcp(PodNet to, int port, int timeoutMs) throws Exception {
    SocketChannel ch = ns.run(SocketChannel::open);
    try (ch) {
      Socket s = ch.socket();
      s.connect(new InetSocketAddress(InetAddress.getByName(to.ip), port), timeoutMs);
      s.setSoTimeout(timeoutMs);
      byte[] buf = new byte[64];
      int n = s.getInputStream().readNBytes(buf, 0, to.name.length() + 1);
      return new String(buf, 0, n, StandardCharsets.UTF_8).equals(to.name + "\n");
    } catch (IOException e) {
      return false;
    }
  }

  /** A UDP request to {@code to}'s port whose reply (to's name) comes back within the timeout. */
  boolean udp(PodNet to, int port, int timeoutMs) throws Exception {
    DatagramSocket s = ns.run(DatagramSocket::new);
    try (s) {
      s.setSoTimeout(timeoutMs);
      s.send(new DatagramPacket(new byte[] {7}, 1, InetAddress.getByName(to.ip), port));
      DatagramPacket back = new DatagramPacket(new byte[64], 64);
      s.receive(back);
      return new String(back.getData(), 0, back.getLength(), StandardCharsets.UTF_8)
          .equals(to.name + "\n");
    } catch (IOException e) {
      return false;
    }
  }

  /** A UDP channel created in this namespace (for senders started before the pod has eth0). */
  DatagramChannel udpChannel() throws Exception {
    DatagramChannel ch = ns.run(DatagramChannel::open);
    open.add(ch);
    return ch;
  }

  /** Counts datagrams per source address on {@code port} until closed. */
  UdpCounter count(int port) throws Exception {
    DatagramChannel ch = ns.run(() -> DatagramChannel.open().bind(new InetSocketAddress(port)));
    open.add(ch);
    UdpCounter c = new UdpCounter();
    daemon(
        "count-" + name + "-" + port,
        () -> {
          ByteBuffer buf = ByteBuffer.allocate(64);
          while (ch.isOpen()) {
            try {
              buf.clear();
              InetSocketAddress from = (InetSocketAddress) ch.receive(buf);
              c.add(from.getAddress().getHostAddress());
            } catch (IOException e) {
              // closed: the loop ends
            }
          }
        });
    return c;
  }

  /** Datagrams received, per source address, and when the first one of each arrived. */
  static final class UdpCounter {
    private final java.util.Map<String, Integer> counts = new java.util.HashMap<>();
    private final java.util.Map<String, Long> first = new java.util.HashMap<>();

    synchronized void add(String src) {
      counts.merge(src, 1, Integer::sum);
      first.putIfAbsent(src, System.nanoTime());
    }

    synchronized int from(String src) {
      return counts.getOrDefault(src, 0);
    }

    /** {@link System#nanoTime} of the first datagram from {@code src}, if any came. */
    synchronized java.util.Optional<Long> firstFrom(String src) {
      return java.util.Optional.ofNullable(first.get(src));
    }
  }

  private static void daemon(String name, Runnable r) {
    Thread.ofPlatform().name(name).daemon(true).start(r);
  }

  @Override
  public void close() {
    for (AutoCloseable c : open) {
      try {
        c.close();
      } catch (Exception e) {
        // closing: nothing to do
      }
    }
    ns.close();
  }

  @Override
  public String toString() {
    return name + "(" + ip + ")";
  }
}
