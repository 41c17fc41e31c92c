package io.vpccni.testkit.cni;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * One malformed invocation of the CNI binary and the error the CNI spec (1.1.0, §5 "Error") says it
 * must produce.
 *
 * @param name what is wrong, as a test display name
 * @param verb the {@code CNI_COMMAND} (informative: {@code env} holds the real variable, and may
 *     lack it or hold a bad one)
 * @param env the complete {@code CNI_*} environment to run with
 * @param stdin the bytes on stdin (bytes, so that invalid UTF-8 can be expressed)
 * @param expectedCode the {@code code} of the error result
 * @param messageContains a substring of {@code msg}: the variable or field at fault
 * @param rejectedBeforeAgent true when the binary itself must refuse the input, without any request
 *     to the agent; false when the input is well-formed for the binary and the agent must refuse it
 *     (then {@code expectedCode}/{@code messageContains} are the agent's contract). Either way
 *     nothing on the node may change.
 */
public record BadInputCase(
    String name,
    String verb,
    Map<String, String> env,
    byte[] stdin,
    int expectedCode,
    String messageContains,
    boolean rejectedBeforeAgent) {

  public String stdinText() {
    return new String(stdin, StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return name;
  }
}
