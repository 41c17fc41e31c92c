package io.vpccni.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vpccni.testkit.netns.Commands;
import io.vpccni.testkit.netns.NetnsExtension;
import io.vpccni.testkit.netns.NetnsTest;
import io.vpccni.testkit.netns.TestNetns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Opening namespaces, running code inside them, sysctls. Needs root. */
@Tag("netns")
class PrivilegedNetnsTest {
  @RegisterExtension static final NetnsExtension netns = new NetnsExtension();

  private static long statInode(String path) {
    return Long.parseLong(Commands.run("stat", "-L", "-c", "%i", path).strip());
  }

  /** The inode of the calling thread's network namespace, read without setns. */
  private static long threadNetnsInode() throws IOException {
    String link =
        Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString(); // net:[4026531840]
    return Long.parseLong(link.substring(link.indexOf('[') + 1, link.length() - 1));
  }

  @NetnsTest
  void openGivesTheInodeThatStatSees() {
    TestNetns ns = netns.create("inode");
    try (Netns n = Netns.open(ns.path());
        Netns self = Netns.current()) {
      assertThat(n.inode()).isEqualTo(statInode(ns.path().toString()));
      assertThat(n.path()).isEqualTo(ns.path());
      assertThat(n.fd()).isPositive();
      assertThat(self.inode()).isEqualTo(statInode("/proc/self/ns/net"));
      assertThat(self.inode()).isNotEqualTo(n.inode());
    }
  }

  @NetnsTest
  void missingPathsAndOtherFilesAreGoneNamespaces() throws IOException {
    TestNetns ns = netns.create("gone");
    netns.delete(ns);
    assertThatThrownBy(() -> Netns.open(ns.path()))
        .isInstanceOf(NetnsGoneException.class)
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining(ns.path().toString())
        .hasMessageContaining("ENOENT");
    Path regular = Files.createTempFile("not-a-netns", "");
    try {
      assertThatThrownBy(() -> Netns.open(regular))
          .isInstanceOf(NetnsGoneException.class)
          .hasMessageContaining("not a namespace file");
    } finally {
      Files.delete(regular);
    }
    assertThatThrownBy(() -> Netns.open(Path.of("/proc/self/ns/uts")))
        .isInstanceOf(NetnsGoneException.class)
        .hasMessageContaining("not a network namespace");
  }

  @NetnsTest
  void runExecutesOnADedicatedPlatformThreadInsideTheNamespace() throws Exception {
    TestNetns ns = netns.create("run");
    try (Netns n = Netns.open(ns.path())) {
      Thread caller = Thread.currentThread();
      long before = threadNetnsInode();
      AtomicReference<Thread> ran = new AtomicReference<>();
      long inside =
          n.run(
              () -> {
                ran.set(Thread.currentThread());
                return threadNetnsInode();
              });
      assertThat(inside).isEqualTo(n.inode());
      assertThat(ran.get()).isNotSameAs(caller);
      assertThat(ran.get().isVirtual()).isFalse();
      assertThat(threadNetnsInode()).isEqualTo(before);
      // Another call gets another thread: nothing is reused.
      Thread second = n.run(Thread::currentThread);
      assertThat(second).isNotSameAs(ran.get());
    }
  }

  @NetnsTest
  void callerNamespaceIsUnchangedAfterATaskThatThrows() throws Exception {
    TestNetns ns = netns.create("throw");
    long before = threadNetnsInode();
    IOException thrown = new IOException("task failed on purpose");
    try (Netns n = Netns.open(ns.path())) {
      assertThatThrownBy(
              () ->
                  n.run(
                      () -> {
                        throw thrown;
                      }))
          .isSameAs(thrown); // unwrapped
      assertThatThrownBy(
              () ->
                  n.run(
                      () -> {
                        throw new IllegalStateException("unchecked");
                      }))
          .isExactlyInstanceOf(IllegalStateException.class);
    }
    assertThat(threadNetnsInode()).isEqualTo(before);
    assertThat(threadNetnsInode()).isEqualTo(statInode("/proc/self/ns/net"));
  }

  @NetnsTest
  void runFromAVirtualThreadStillEntersOnAPlatformThread() throws Exception {
    TestNetns ns = netns.create("vthread");
    try (Netns n = Netns.open(ns.path())) {
      AtomicReference<Object> result = new AtomicReference<>();
      Thread v =
          Thread.ofVirtual()
              .start(
                  () -> {
                    try {
                      result.set(
                          n.run(
                              () -> Thread.currentThread().isVirtual() ? -1L : threadNetnsInode()));
                    } catch (Exception e) {
                      result.set(e);
                    }
                  });
      v.join(30_000);
      assertThat(result.get()).isEqualTo(n.inode());
    }
  }

  @NetnsTest
  void aHandleStaysInItsNamespaceAfterTheNetnsIsClosed() {
    TestNetns ns = netns.create("keep");
    Netlink nl;
    try (Netns n = Netns.open(ns.path())) {
      nl = Netlink.in(n);
    }
    try (nl) {
      nl.vethAdd(new VethSpec("k0", "k1", null, 0));
      assertThat(netns.ip(ns, "link", "show", "k0")).contains("k0");
    }
    assertThatThrownBy(nl::linkList).isInstanceOf(IllegalStateException.class);
  }

  @NetnsTest
  void sysctlsAreReadAndWrittenInsideTheNamespaceOnly() throws IOException {
    TestNetns ns = netns.create("sysctl");
    String rootForwarding = Files.readString(Path.of("/proc/sys/net/ipv4/ip_forward")).strip();
    String target = rootForwarding.equals("1") ? "0" : "1";
    try (Netns n = Netns.open(ns.path());
        Netlink nl = Netlink.in(n)) {
      Sysctl.set(n, "net.ipv4.ip_forward", target);
      assertThat(Sysctl.get(n, "net.ipv4.ip_forward")).isEqualTo(target);
      assertThat(netns.exec(ns, "cat", "/proc/sys/net/ipv4/ip_forward").strip()).isEqualTo(target);
      assertThat(Files.readString(Path.of("/proc/sys/net/ipv4/ip_forward")).strip())
          .isEqualTo(rootForwarding);

      nl.vethAdd(new VethSpec("eth0.100", "p.1", null, 0)); // interface names may hold dots
      Sysctl.set(n, "net.ipv4.conf.eth0.100.rp_filter", "2");
      assertThat(netns.exec(ns, "cat", "/proc/sys/net/ipv4/conf/eth0.100/rp_filter").strip())
          .isEqualTo("2");
      Sysctl.set(n, "net.ipv4.conf", "p.1", "rp_filter", "1");
      assertThat(Sysctl.get(n, "net/ipv4/conf/p.1/rp_filter")).isEqualTo("1");
      assertThat(Sysctl.get(n, "net.ipv6.conf", "eth0.100", "disable_ipv6")).isIn("0", "1");

      assertThatThrownBy(() -> Sysctl.get(n, "net.ipv4.conf.nosuchdev.rp_filter"))
          .isInstanceOf(NotFoundException.class)
          .hasMessageContaining("net.ipv4.conf.nosuchdev.rp_filter");
      assertThatThrownBy(() -> Sysctl.set(n, "kernel.hostname", "x"))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
