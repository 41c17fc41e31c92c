package io.vpccni.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vpccni.testkit.netns.Commands;
import io.vpccni.testkit.netns.NetnsExtension;
import io.vpccni.testkit.netns.NetnsTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link Netns#create(String)} and {@link Netns#delete(String)} against iproute2: what one makes
 * the other sees. Needs root; every name starts with the extension's per-run prefix, each test
 * deletes what it made in a finally block, and the extension deletes anything with the prefix that
 * is left after the class.
 */
@Tag("netns")
class PrivilegedNetnsCreateTest {
  @RegisterExtension static final NetnsExtension netns = new NetnsExtension();

  private static String name(String suffix) {
    return netns.prefix() + "-" + suffix;
  }

  /** Deletes a namespace this test made, if it is still there. */
  private static void deleteQuietly(String name) {
    try {
      Netns.delete(name);
    } catch (NetnsGoneException e) {
      // already gone
    }
  }

  private static long statInode(String path) {
    return Long.parseLong(Commands.run("stat", "-L", "-c", "%i", path).strip());
  }

  private static List<String> ipNetnsList() {
    return Arrays.stream(Commands.run("ip", "netns", "list").split("\n"))
        .map(l -> l.strip().split("\\s+", 2)[0])
        .filter(s -> !s.isEmpty())
        .toList();
  }

  @NetnsTest
  void createdNamespaceIsSeenByIpAndIsEmptyAndNew() throws Exception {
    String n = name("new");
    try {
      Path p = Netns.create(n);
      assertThat(p).isEqualTo(Path.of("/var/run/netns", n));
      assertThat(Files.isRegularFile(p)).isTrue();
      assertThat(ipNetnsList()).contains(n);
      String links = Commands.run("ip", "netns", "exec", n, "ip", "-o", "link", "show");
      assertThat(links.strip().split("\n")).hasSize(1);
      assertThat(links).contains(": lo:");

      long host = statInode("/proc/self/ns/net");
      try (Netns ns = Netns.open(p);
          Netlink nl = Netlink.in(ns)) {
        assertThat(ns.inode()).isEqualTo(statInode(p.toString())).isNotEqualTo(host);
        assertThat(nl.linkList()).extracting(Link::name).containsExactly("lo");
        long inside =
            ns.run(
                () -> {
                  String link =
                      Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString();
                  return Long.parseLong(link.substring(link.indexOf('[') + 1, link.length() - 1));
                });
        assertThat(inside).isEqualTo(ns.inode());
      }
      // the caller never changed namespace
      assertThat(Netns.current().inode()).isEqualTo(host);
    } finally {
      deleteQuietly(n);
    }
  }

  @NetnsTest
  void runDirectoryIsASharedMountPointAsIproute2LeavesIt() {
    String n = name("shared");
    try {
      Netns.create(n);
      String propagation =
          Commands.run("findmnt", "-n", "-o", "PROPAGATION", "--target", "/run/netns").strip();
      assertThat(propagation).startsWith("shared");
      assertThat(
              Commands.run("findmnt", "-n", "-o", "TARGET", "--target", "/run/netns")
                  .strip()
                  .split("\n")[0])
          .isEqualTo("/run/netns");
    } finally {
      deleteQuietly(n);
    }
  }

  @NetnsTest
  void createOfAnExistingNameFailsAndChangesNothing() {
    String n = name("twice");
    try {
      Path p = Netns.create(n);
      long before = statInode(p.toString());
      assertThatThrownBy(() -> Netns.create(n))
          .isInstanceOf(ExistsException.class)
          .hasMessageContaining(p.toString())
          .hasMessageContaining("EEXIST")
          .hasMessageContaining("File exists");
      assertThat(statInode(p.toString())).isEqualTo(before);
      assertThat(ipNetnsList()).containsOnlyOnce(n);
      // iproute2 sees the clash the same way
      Commands.Result ip =
          Commands.exec(Commands.DEFAULT_TIMEOUT, List.of("ip", "netns", "add", n));
      assertThat(ip.ok()).isFalse();
      assertThat(statInode(p.toString())).isEqualTo(before);
    } finally {
      deleteQuietly(n);
    }
  }

  @NetnsTest
  void deleteRemovesItAndASecondDeleteIsAGoneNamespace() {
    String n = name("del");
    try {
      Path p = Netns.create(n);
      Netns.delete(n);
      assertThat(Files.exists(p)).isFalse();
      assertThat(ipNetnsList()).doesNotContain(n);
      assertThatThrownBy(() -> Netns.delete(n))
          .isInstanceOf(NetnsGoneException.class)
          .isInstanceOf(NotFoundException.class)
          .hasMessageContaining(p.toString())
          .hasMessageContaining("ENOENT");
    } finally {
      deleteQuietly(n);
    }
  }

  @NetnsTest
  void namespacesMadeByIpAreDeletedAndOursAreDeletedByIp() {
    String ours = name("ours");
    String theirs = name("theirs");
    try {
      Netns.create(ours);
      Commands.run("ip", "netns", "del", ours);
      assertThat(Files.exists(Path.of("/var/run/netns", ours))).isFalse();

      Commands.run("ip", "netns", "add", theirs);
      Netns.delete(theirs);
      assertThat(ipNetnsList()).doesNotContain(theirs);
    } finally {
      deleteQuietly(ours);
      deleteQuietly(theirs);
    }
  }

  @NetnsTest
  void deleteRemovesAFileThatIsNotMounted() throws IOException {
    // what a crash between create's steps would leave
    String n = name("stale");
    Path p = Path.of("/var/run/netns", n);
    try {
      Files.createDirectories(p.getParent());
      Files.createFile(p);
      assertThatThrownBy(() -> Netns.open(p)).isInstanceOf(NetnsGoneException.class);
      Netns.delete(n);
      assertThat(Files.exists(p)).isFalse();
    } finally {
      Files.deleteIfExists(p);
    }
  }

  @NetnsTest
  void aHeldNamespaceOutlivesItsNameAndTheNameCanBeReused() {
    String n = name("reuse");
    try {
      Path p = Netns.create(n);
      try (Netns held = Netns.open(p);
          Netlink nl = Netlink.in(held)) {
        Netns.delete(n);
        nl.vethAdd(new VethSpec("r0", "r1", null, 0));
        assertThat(nl.linkList()).extracting(Link::name).contains("lo", "r0", "r1");
        Netns.create(n);
        try (Netns fresh = Netns.open(p);
            Netlink nl2 = Netlink.in(fresh)) {
          assertThat(fresh.inode()).isNotEqualTo(held.inode());
          assertThat(nl2.linkList()).extracting(Link::name).containsExactly("lo");
        }
      }
    } finally {
      deleteQuietly(n);
    }
  }

  @NetnsTest
  void concurrentCreatesAllSucceedWithDistinctNamespaces() throws Exception {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      names.add(name("c" + i));
    }
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Callable<Long>> tasks = new ArrayList<>();
      for (String n : names) {
        tasks.add(
            () -> {
              try (Netns ns = Netns.open(Netns.create(n))) {
                return ns.inode();
              }
            });
      }
      List<Long> inodes = new ArrayList<>();
      for (Future<Long> f : pool.invokeAll(tasks)) {
        inodes.add(f.get());
      }
      assertThat(inodes).doesNotHaveDuplicates();
      assertThat(ipNetnsList()).containsAll(names);
      // the run directory was bound onto itself at most once
      long mounts =
          Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
              .filter(l -> l.split(" ")[4].equals("/run/netns"))
              .count();
      assertThat(mounts).isEqualTo(1);
    } finally {
      pool.shutdownNow();
      names.forEach(PrivilegedNetnsCreateTest::deleteQuietly);
    }
  }

  @NetnsTest
  void aFailedCreateLeavesNothingBehind() throws IOException {
    String before = Files.readString(Path.of("/proc/self/mountinfo"));
    String n = name("fail");
    Path p = Path.of("/var/run/netns", n);
    try {
      // fails before binding: the file it made is removed
      IllegalStateException early = new IllegalStateException("unshare failed on purpose");
      assertThatThrownBy(
              () ->
                  NamedNetns.create(
                      n,
                      path -> {
                        throw early;
                      }))
          .isSameAs(early);
      assertThat(Files.exists(p)).isFalse();

      // fails after binding: unmounted and removed
      IllegalStateException late = new IllegalStateException("failed after the bind on purpose");
      assertThatThrownBy(
              () ->
                  NamedNetns.create(
                      n,
                      path -> {
                        NamedNetns.bindNewNamespace(path);
                        assertThat(ipNetnsList()).contains(n);
                        throw late;
                      }))
          .isSameAs(late);
      assertThat(Files.exists(p)).isFalse();
      assertThat(ipNetnsList()).doesNotContain(n);
      assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(p.toString());
      assertThat(before).doesNotContain(p.toString());

      // and the name is free again
      Netns.create(n);
      assertThat(ipNetnsList()).contains(n);
    } finally {
      deleteQuietly(n);
    }
  }
}
