package io.vpccni.cloud.openstack.api;

import java.net.URI;
import java.util.Objects;

/**
 * Keystone v3 password authentication scoped to a project. {@code authUrl} is the identity endpoint
 * with or without the trailing {@code /v3}; {@code region} may be null (first endpoint of the type
 * wins); {@code endpointInterface} is {@code public}, {@code internal} or {@code admin}.
 */
public record KeystoneCredentials(
    URI authUrl,
    String userName,
    String userDomainName,
    String password,
    String projectName,
    String projectDomainName,
    String region,
    String endpointInterface) {
  public KeystoneCredentials {
    Objects.requireNonNull(authUrl, "authUrl");
    Objects.requireNonNull(userName, "userName");
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(projectName, "projectName");
    userDomainName = userDomainName == null ? "Default" : userDomainName;
    projectDomainName = projectDomainName == null ? "Default" : projectDomainName;
    endpointInterface = endpointInterface == null ? "public" : endpointInterface;
  }

  @Override
  public String toString() {
    return "KeystoneCredentials[" + userName + "@" + projectName + " via " + authUrl + "]";
  }
}
