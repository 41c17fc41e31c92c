package io.vpccni.e2e.runtime;

/**
 * The container runtime cannot be used on this machine: a binary is missing, we are not root, or
 * containerd (or its CRI plugin) did not come up. Tests turn it into a skip that names the cause;
 * every other harness failure is a real failure.
 */
public final class RuntimeUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public RuntimeUnavailableException(String cause) {
    super(cause);
  }

  public RuntimeUnavailableException(String cause, Throwable throwable) {
    super(cause, throwable);
  }
}
