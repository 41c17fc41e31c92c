package io.vpccni.testkit.netns;

import java.util.List;

/** A test-support subprocess exited non-zero or timed out. */
public class CommandException extends RuntimeException {
  private final int exitCode;
  private final String stdout;
  private final String stderr;

  public CommandException(List<String> command, int exitCode, String stdout, String stderr) {
    super(
        "command "
            + String.join(" ", command)
            + (exitCode == Commands.TIMED_OUT ? " timed out" : " exited with " + exitCode)
            + (stderr.isBlank() ? "" : ": " + stderr.strip()));
    this.exitCode = exitCode;
    this.stdout = stdout;
    this.stderr = stderr;
  }

  /** The exit status, or {@link Commands#TIMED_OUT}. */
  public int exitCode() {
    return exitCode;
  }

  public String stdout() {
    return stdout;
  }

  public String stderr() {
    return stderr;
  }
}
