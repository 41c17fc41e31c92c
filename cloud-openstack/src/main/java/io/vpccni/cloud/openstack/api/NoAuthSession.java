package io.vpccni.cloud.openstack.api;

import java.net.URI;
import java.util.Map;

/**
 * Fixed endpoints and a dummy token, for the VPC emulator and for neutron-server with {@code
 * auth_strategy = noauth} (which ignores {@code X-Auth-Token} and treats every call as admin).
 */
public final class NoAuthSession implements OpenStackSession {
  /** Sent as {@code X-Auth-Token}; noauth servers ignore it. */
  public static final String DUMMY_TOKEN = "noauth";

  private final Map<String, URI> endpoints;

  private NoAuthSession(Map<String, URI> endpoints) {
    this.endpoints = Map.copyOf(endpoints);
  }

  /** Endpoints by service type ({@link #NETWORK}, {@link #COMPUTE}). */
  public static NoAuthSession of(Map<String, URI> endpoints) {
    return new NoAuthSession(endpoints);
  }

  /** Neutron only, e.g. {@code http://127.0.0.1:9696/v2.0}. */
  public static NoAuthSession network(URI neutronEndpoint) {
    return new NoAuthSession(Map.of(NETWORK, neutronEndpoint));
  }

  @Override
  public String token() {
    return DUMMY_TOKEN;
  }

  @Override
  public URI endpoint(String serviceType) {
    URI uri = endpoints.get(serviceType);
    if (uri == null) {
      throw new OpenStackApiException(
          OpenStackApiException.NO_RESPONSE,
          "EndpointNotFound",
          "no endpoint configured for service type " + serviceType,
          "find the " + serviceType + " endpoint");
    }
    return uri;
  }

  @Override
  public boolean invalidate(String token) {
    return false;
  }
}
