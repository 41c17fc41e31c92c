package io.vpccni.cloud;

import io.vpccni.cloud.ratelimit.RateLimiter;
import io.vpccni.netaddr.IpAddress;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Takes a token from a shared {@link RateLimiter} before every call. When no token comes within
 * {@code maxWait} the call fails with {@link CloudException.Reason#THROTTLED} without reaching the
 * cloud. Put it under {@link RetryingVpcApi} ({@code new RetryingVpcApi(new
 * RateLimitedVpcApi(provider, limiter, wait), policy)}) so every retry also pays a token.
 */
public final class RateLimitedVpcApi implements VpcApi {
  private final VpcApi delegate;
  private final RateLimiter limiter;
  private final Duration maxWait;

  public RateLimitedVpcApi(VpcApi delegate, RateLimiter limiter, Duration maxWait) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.limiter = Objects.requireNonNull(limiter, "limiter");
    this.maxWait = Objects.requireNonNull(maxWait, "maxWait");
  }

  private <T> T limited(CloudOperation op, String object, Supplier<T> call) {
    boolean got;
    try {
      got = limiter.acquire(maxWait);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CloudException(
          CloudException.Reason.TRANSIENT,
          op.verbObject() + " " + object,
          "interrupted waiting for the client rate limit",
          e);
    }
    if (!got) {
      throw new CloudException(
          CloudException.Reason.THROTTLED,
          op.verbObject() + " " + object,
          "client rate limit (" + limiter + ") gave no token within " + maxWait);
    }
    return call.get();
  }

  @Override
  public Instance describeInstance(String instanceId) {
    return limited(
        CloudOperation.DESCRIBE_INSTANCE, instanceId, () -> delegate.describeInstance(instanceId));
  }

  @Override
  public Subnet describeSubnet(String subnetId) {
    return limited(
        CloudOperation.DESCRIBE_SUBNET, subnetId, () -> delegate.describeSubnet(subnetId));
  }

  @Override
  public Eni createEni(EniCreateRequest request) {
    return limited(
        CloudOperation.CREATE_ENI,
        "in subnet " + request.subnetId(),
        () -> delegate.createEni(request));
  }

  @Override
  public Eni describeEni(String eniId) {
    return limited(CloudOperation.DESCRIBE_ENI, eniId, () -> delegate.describeEni(eniId));
  }

  @Override
  public List<Eni> listEnis(EniFilter filter) {
    return limited(CloudOperation.LIST_ENIS, "by " + filter, () -> delegate.listEnis(filter));
  }

  @Override
  public Eni attachEni(String eniId, String instanceId, int deviceIndex) {
    return limited(
        CloudOperation.ATTACH_ENI,
        eniId + " to instance " + instanceId,
        () -> delegate.attachEni(eniId, instanceId, deviceIndex));
  }

  @Override
  public Eni detachEni(String eniId) {
    return limited(CloudOperation.DETACH_ENI, eniId, () -> delegate.detachEni(eniId));
  }

  @Override
  public void deleteEni(String eniId) {
    limited(
        CloudOperation.DELETE_ENI,
        eniId,
        () -> {
          delegate.deleteEni(eniId);
          return null;
        });
  }

  @Override
  public List<IpAddress> assignIps(String eniId, IpAssignment request) {
    return limited(CloudOperation.ASSIGN_IPS, eniId, () -> delegate.assignIps(eniId, request));
  }

  @Override
  public void unassignIps(String eniId, Collection<IpAddress> ips) {
    limited(
        CloudOperation.UNASSIGN_IPS,
        eniId,
        () -> {
          delegate.unassignIps(eniId, ips);
          return null;
        });
  }

  @Override
  public void close() {
    delegate.close();
  }
}
