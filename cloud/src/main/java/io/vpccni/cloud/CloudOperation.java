package io.vpccni.cloud;

/**
 * The calls of {@link VpcApi}, one constant per method: the label that decorators, fakes and
 * metrics count and fault-inject by, and the verb phrase that error messages start with.
 */
public enum CloudOperation {
  DESCRIBE_INSTANCE("describe instance"),
  DESCRIBE_SUBNET("describe subnet"),
  CREATE_ENI("create ENI"),
  DESCRIBE_ENI("describe ENI"),
  LIST_ENIS("list ENIs"),
  ATTACH_ENI("attach ENI"),
  DETACH_ENI("detach ENI"),
  DELETE_ENI("delete ENI"),
  ASSIGN_IPS("assign IPs to ENI"),
  UNASSIGN_IPS("unassign IPs from ENI");

  private final String verbObject;

  CloudOperation(String verbObject) {
    this.verbObject = verbObject;
  }

  /** "create ENI", "assign IPs to ENI": the {@code <verb> <object>} of a failure message. */
  public String verbObject() {
    return verbObject;
  }

  /** A metric label: {@code create_eni}. */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
