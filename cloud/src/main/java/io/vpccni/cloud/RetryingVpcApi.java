package io.vpccni.cloud;

import io.vpccni.cloud.retry.Retrier;
import io.vpccni.cloud.retry.RetryPolicy;
import io.vpccni.netaddr.IpAddress;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * Runs every call under one {@link Retrier}. Retries follow the policy: by default only {@code
 * THROTTLED}, {@code TRANSIENT} and {@code INTERNAL} failures are retried, and the last failure is
 * thrown when the budget is spent. See {@link VpcApi} for which calls are not idempotent (a retried
 * {@code createEni} after an ambiguous failure can leave a tagged ENI for garbage collection).
 */
public final class RetryingVpcApi implements VpcApi {
  private final VpcApi delegate;
  private final Retrier retrier;

  public RetryingVpcApi(VpcApi delegate, Retrier retrier) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.retrier = Objects.requireNonNull(retrier, "retrier");
  }

  /** On the system clock, really sleeping between attempts. */
  public RetryingVpcApi(VpcApi delegate, RetryPolicy policy) {
    this(delegate, Retrier.of(policy));
  }

  @Override
  public Instance describeInstance(String instanceId) {
    return retrier.call(() -> delegate.describeInstance(instanceId));
  }

  @Override
  public Subnet describeSubnet(String subnetId) {
    return retrier.call(() -> delegate.describeSubnet(subnetId));
  }

  @Override
  public Eni createEni(EniCreateRequest request) {
    return retrier.call(() -> delegate.createEni(request));
  }

  @Override
  public Eni describeEni(String eniId) {
    return retrier.call(() -> delegate.describeEni(eniId));
  }

  @Override
  public List<Eni> listEnis(EniFilter filter) {
    return retrier.call(() -> delegate.listEnis(filter));
  }

  @Override
  public Eni attachEni(String eniId, String instanceId, int deviceIndex) {
    return retrier.call(() -> delegate.attachEni(eniId, instanceId, deviceIndex));
  }

  @Override
  public Eni detachEni(String eniId) {
    return retrier.call(() -> delegate.detachEni(eniId));
  }

  @Override
  public void deleteEni(String eniId) {
    retrier.call(
        () -> {
          delegate.deleteEni(eniId);
          return null;
        });
  }

  @Override
  public List<IpAddress> assignIps(String eniId, IpAssignment request) {
    return retrier.call(() -> delegate.assignIps(eniId, request));
  }

  @Override
  public void unassignIps(String eniId, Collection<IpAddress> ips) {
    retrier.call(
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
