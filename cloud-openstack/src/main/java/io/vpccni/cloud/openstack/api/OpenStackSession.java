package io.vpccni.cloud.openstack.api;

import java.net.URI;

/**
 * Where a service lives and which token to send to it. {@link NoAuthSession} serves a fixed
 * endpoint with a dummy token (the emulator; neutron-server with {@code auth_strategy = noauth});
 * {@link KeystoneSession} fetches a Keystone v3 token and reads endpoints from its catalog.
 */
public interface OpenStackSession {
  /** Service types as in the Keystone catalog. */
  String NETWORK = "network";

  String COMPUTE = "compute";

  /** A token to send as {@code X-Auth-Token}; may authenticate (a blocking HTTP call). */
  String token();

  /** The base URL of the service, as the catalog (or the configuration) gives it. */
  URI endpoint(String serviceType);

  /**
   * The service answered 401 to {@code token}: forget it so that the next {@link #token()} fetches
   * a new one. Returns true when a fresh token can be had (so one more attempt makes sense).
   */
  boolean invalidate(String token);
}
