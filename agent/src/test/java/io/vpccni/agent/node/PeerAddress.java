package io.vpccni.agent.node;

import io.vpccni.netlink.Netns;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Servers that answer every TCP connection and every UDP datagram with {@code "<name> <peer IP>"} —
 * who answered, and the source address it saw — and clients that ask them from inside a pod's
 * namespace. Sockets are created inside the namespace (on {@link Netns#run}'s own thread) and keep
 * it; accepting and answering then runs on an ordinary thread. Every wait has a timeout.
 */
final class PeerAddress implements AutoCloseable {
  private final ServerSocketChannel tcp;
  private final DatagramChannel udp;
  private final String name;

  private PeerAddress(String name, ServerSocketChannel tcp, DatagramChannel udp) {
    this.name = name;
    this.tcp = tcp;
    this.udp = udp;
  }

  /**
   * Listens on {@code ip:port}, TCP and UDP, in namespace {@code netns} (a name under /run/netns).
   */
  static PeerAddress serve(String netns, String name, String ip, int port) throws Exception {
    try (Netns ns = Netns.open(Path.of("/run/netns", netns))) {
      ServerSocketChannel t =
          ns.run(() -> ServerSocketChannel.open().bind(new InetSocketAddress(ip, port)));
      DatagramChannel u =
          ns.run(() -> DatagramChannel.open().bind(new InetSocketAddress(ip, port)));
      PeerAddress p = new PeerAddress(name, t, u);
      Thread.ofPlatform().daemon(true).name("peer-tcp-" + name).start(p::tcpLoop);
      Thread.ofPlatform().daemon(true).name("peer-udp-" + name).start(p::udpLoop);
      return p;
    }
  }

  private void tcpLoop() {
    while (tcp.isOpen()) {
      try (SocketChannel c = tcp.accept()) {
        String peer = ((InetSocketAddress) c.getRemoteAddress()).getAddress().getHostAddress();
        c.write(ByteBuffer.wrap((name + " " + peer + "\n").getBytes(StandardCharsets.UTF_8)));
      } catch (IOException e) {
        // closed, or the client went away: the loop ends when the channel is closed
      }
    }
  }

  private void udpLoop() {
    ByteBuffer buf = ByteBuffer.allocate(512);
    while (udp.isOpen()) {
      try {
        buf.clear();
        InetSocketAddress from = (InetSocketAddress) udp.receive(buf);
        String answer = name + " " + from.getAddress().getHostAddress() + "\n";
        udp.send(ByteBuffer.wrap(answer.getBytes(StandardCharsets.UTF_8)), from);
      } catch (IOException e) {
        // closed: the loop ends
      }
    }
  }

  /** Connects from {@code netns} to {@code ip:port} over TCP; the answer, or an exception. */
  static String askTcp(String netns, String ip, int port) throws Exception {
    try (Netns ns = Netns.open(Path.of("/run/netns", netns))) {
      return ns.run(
          () -> {
            try (Socket s = new Socket()) {
              s.connect(new InetSocketAddress(ip, port), 3000);
              s.setSoTimeout(3000);
              return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            }
          });
    }
  }

  /** As {@link #askTcp}, but the exception's message (for an assertion), or the answer. */
  static String tryTcp(String netns, String ip, int port) {
    try {
      return askTcp(netns, ip, port);
    } catch (Exception e) {
      return "failed: " + e;
    }
  }

  /** Sends one datagram from {@code netns} to {@code ip:port} and waits 3 s for the answer. */
  static String askUdp(String netns, String ip, int port) throws Exception {
    try (Netns ns = Netns.open(Path.of("/run/netns", netns))) {
      return ns.run(
          () -> {
            try (java.net.DatagramSocket s = new java.net.DatagramSocket()) {
              s.setSoTimeout(3000);
              byte[] q = "who".getBytes(StandardCharsets.UTF_8);
              s.send(new java.net.DatagramPacket(q, q.length, new InetSocketAddress(ip, port)));
              java.net.DatagramPacket a = new java.net.DatagramPacket(new byte[512], 512);
              s.receive(a);
              return new String(a.getData(), 0, a.getLength(), StandardCharsets.UTF_8).strip();
            }
          });
    }
  }

  @Override
  public void close() {
    try {
      tcp.close();
    } catch (IOException e) {
      // closing
    }
    try {
      udp.close();
    } catch (IOException e) {
      // closing
    }
  }
}
