package io.vpccni.cloud;

import io.vpccni.cloud.retry.Ticker;
import io.vpccni.netaddr.IpAddress;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Tells a {@link CallObserver} about every call: operation, duration, outcome. Wrap the provider
 * directly to count what reaches the cloud (each retry is a call), or wrap the retrying decorator
 * to measure what the caller waited.
 */
public final class ObservedVpcApi implements VpcApi {
  private final VpcApi delegate;
  private final CallObserver observer;
  private final Ticker ticker;

  public ObservedVpcApi(VpcApi delegate, CallObserver observer, Ticker ticker) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.observer = Objects.requireNonNull(observer, "observer");
    this.ticker = Objects.requireNonNull(ticker, "ticker");
  }

  public ObservedVpcApi(VpcApi delegate, CallObserver observer) {
    this(delegate, observer, Ticker.system());
  }

  private <T> T observed(CloudOperation op, Supplier<T> call) {
    long start = ticker.nanoTime();
    Optional<CloudException.Reason> failure = Optional.of(CloudException.Reason.INTERNAL);
    try {
      T result = call.get();
      failure = Optional.empty();
      return result;
    } catch (CloudException e) {
      failure = Optional.of(e.reason());
      throw e;
    } finally {
      observer.called(op, Duration.ofNanos(ticker.nanoTime() - start), failure);
    }
  }

  private void observed(CloudOperation op, Runnable call) {
    observed(
        op,
        () -> {
          call.run();
          return null;
        });
  }

  @Override
  public Instance describeInstance(String instanceId) {
    return observed(CloudOperation.DESCRIBE_INSTANCE, () -> delegate.describeInstance(instanceId));
  }

  @Override
  public Subnet describeSubnet(String subnetId) {
    return observed(CloudOperation.DESCRIBE_SUBNET, () -> delegate.describeSubnet(subnetId));
  }

  @Override
  public Eni createEni(EniCreateRequest request) {
    return observed(CloudOperation.CREATE_ENI, () -> delegate.createEni(request));
  }

  @Override
  public Eni describeEni(String eniId) {
    return observed(CloudOperation.DESCRIBE_ENI, () -> delegate.describeEni(eniId));
  }

  @Override
  public List<Eni> listEnis(EniFilter filter) {
    return observed(CloudOperation.LIST_ENIS, () -> delegate.listEnis(filter));
  }

  @Override
  public Eni attachEni(String eniId, String instanceId, int deviceIndex) {
    return observed(
        CloudOperation.ATTACH_ENI, () -> delegate.attachEni(eniId, instanceId, deviceIndex));
  }

  @Override
  public Eni detachEni(String eniId) {
    return observed(CloudOperation.DETACH_ENI, () -> delegate.detachEni(eniId));
  }

  @Override
  public void deleteEni(String eniId) {
    observed(CloudOperation.DELETE_ENI, () -> delegate.deleteEni(eniId));
  }

  @Override
  public List<IpAddress> assignIps(String eniId, IpAssignment request) {
    return observed(CloudOperation.ASSIGN_IPS, () -> delegate.assignIps(eniId, request));
  }

  @Override
  public void unassignIps(String eniId, Collection<IpAddress> ips) {
    observed(CloudOperation.UNASSIGN_IPS, () -> delegate.unassignIps(eniId, ips));
  }

  @Override
  public void close() {
    delegate.close();
  }
}
