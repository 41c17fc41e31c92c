package io.vpccni.cloud.spi;

import io.vpccni.cloud.VpcApi;
import java.util.Map;

/**
 * A cloud provider, found by {@link java.util.ServiceLoader} and chosen by {@link #name()} from
 * config. Needs a public no-argument constructor.
 */
public interface VpcApiProvider {

  /** The name config uses: lower case, e.g. {@code openstack}. */
  String name();

  /**
   * Creates a client from string settings (endpoint, region, credentials file, …). Validates every
   * setting and names the bad one.
   *
   * @throws io.vpccni.cloud.CloudException with {@code INVALID_REQUEST} for a bad or missing
   *     setting, {@code UNAUTHORIZED} when credentials are refused
   */
  VpcApi create(Map<String, String> settings);
}
