package io.vpccni.agentapi;

/**
 * A JSON document that parsed but has a field of the wrong type or value. {@link #field()} is the
 * dotted path of the offending field ({@code runtimeConfig.ips[0]}), so the error names it.
 */
public final class FieldException extends RuntimeException {
  private final String field;

  public FieldException(String field, String problem) {
    super("field \"" + field + "\": " + problem);
    this.field = field;
  }

  public String field() {
    return field;
  }
}
