package io.vpccni.agent.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.testkit.cni.BadInputCase;
import io.vpccni.testkit.cni.BadInputCases;
import io.vpccni.testkit.cni.CniExec;
import io.vpccni.testkit.vpc.Cmd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;

/**
 * Every malformed input of {@link BadInputCases} through the real binary against the real agent:
 * the right CNI error code, a message naming the field, and nothing changed on the node or in the
 * pod's namespace (links, addresses, routes of every table, rules, permanent neighbours) nor in the
 * agent's pool.
 */
@Tag("netns")
class PrivilegedBadInputNodeTest {
  static NodeHarness h;
  static String podNs;
  static Path regularFile;

  @BeforeAll
  static void up() throws Exception {
    NodeHarness.assumePrivileged();
    NodeHarness.binary();
    h = new NodeHarness(1, 4);
    h.startAgent(Map.of());
    podNs = h.podNs("bad");
    regularFile = Files.createTempFile(h.work, "not-a-netns", "");
  }

  @AfterAll
  static void down() {
    if (h != null) {
      h.close();
    }
  }

  static String podState() {
    return Cmd.ok("ip", "-n", podNs, "-j", "link", "show")
        + Cmd.ok("ip", "-n", podNs, "-j", "addr", "show")
        + Cmd.ok("ip", "-n", podNs, "-j", "route", "show", "table", "all");
  }

  @TestFactory
  Stream<DynamicTest> badInputGetsTheSpecCodeNamesTheFieldAndChangesNothing() {
    BadInputCases.Setup setup =
        new BadInputCases.Setup(h.socket.toString(), "/run/netns/" + podNs, regularFile.toString());
    List<BadInputCase> cases = BadInputCases.all(setup);
    assertThat(cases).hasSizeGreaterThanOrEqualTo(40);
    CniExec cni = CniExec.dist();
    return cases.stream()
        .map(
            c ->
                DynamicTest.dynamicTest(
                    c.name(),
                    () -> {
                      String node = h.nodeState();
                      String pod = podState();
                      long used = h.introspect().object("pool").integer("used");
                      CniExec.Result r = cni.run(c.env(), c.stdin());
                      assertThat(r.exitCode()).as("exit code; stdout %s", r.stdout()).isNotZero();
                      assertThat(r.code())
                          .as("CNI error code; stdout %s", r.stdout())
                          .hasValue(c.expectedCode());
                      assertThat(r.msg())
                          .as("message names the culprit")
                          .contains(c.messageContains());
                      assertThat(h.nodeState()).as("node unchanged").isEqualTo(node);
                      assertThat(podState()).as("pod namespace unchanged").isEqualTo(pod);
                      assertThat(h.introspect().object("pool").integer("used"))
                          .as("pool unchanged")
                          .isEqualTo(used);
                    }));
  }
}
