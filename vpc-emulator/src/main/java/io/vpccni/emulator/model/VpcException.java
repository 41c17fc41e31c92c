package io.vpccni.emulator.model;

/**
 * A refused VPC operation, carrying the HTTP status and the Neutron error type a real
 * neutron-server answers with (for example 409 {@code IpAddressAlreadyAllocated}). The Compute API
 * maps the same exception onto Nova's error shapes.
 */
public final class VpcException extends RuntimeException {
  private final int status;
  private final String type;

  public VpcException(int status, String type, String message) {
    super(message);
    this.status = status;
    this.type = type;
  }

  public int status() {
    return status;
  }

  public String type() {
    return type;
  }

  static VpcException notFound(String type, String message) {
    return new VpcException(404, type, message);
  }

  static VpcException conflict(String type, String message) {
    return new VpcException(409, type, message);
  }

  static VpcException badRequest(String message) {
    return new VpcException(400, "HTTPBadRequest", message);
  }
}
