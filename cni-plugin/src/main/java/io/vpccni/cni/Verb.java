package io.vpccni.cni;

/** {@code CNI_COMMAND}: the operations of CNI spec 1.1.0. */
public enum Verb {
  ADD,
  DEL,
  CHECK,
  VERSION,
  STATUS,
  GC;

  /**
   * Parses {@code CNI_COMMAND} (exact, upper case, as runtimes send it).
   *
   * @throws CniException code 4 naming {@code CNI_COMMAND}
   */
  public static Verb parse(String command) throws CniException {
    if (command == null || command.isEmpty()) {
      throw new CniException(
          CniException.INVALID_ENVIRONMENT,
          "required environment variable CNI_COMMAND is missing",
          "set CNI_COMMAND to ADD, DEL, CHECK, STATUS, GC or VERSION");
    }
    return switch (command) {
      case "ADD" -> ADD;
      case "DEL" -> DEL;
      case "CHECK" -> CHECK;
      case "VERSION" -> VERSION;
      case "STATUS" -> STATUS;
      case "GC" -> GC;
      default ->
          throw new CniException(
              CniException.INVALID_ENVIRONMENT,
              "invalid CNI_COMMAND \"" + Names.printable(command) + "\"",
              "expected ADD, DEL, CHECK, STATUS, GC or VERSION");
    };
  }

  /** ADD, CHECK and DEL act on one attachment, named by container id and interface name. */
  public boolean isAttachment() {
    return this == ADD || this == CHECK || this == DEL;
  }
}
