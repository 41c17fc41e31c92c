package io.vpccni.cloud;

import io.vpccni.netaddr.IpAddress;
import java.util.Collection;
import java.util.List;

/**
 * The thin client of one cloud's VPC API: ten calls, no decisions (STYLE rule 3). The controller's
 * node operations sit on top; pool policy never sees this interface's implementations' SDK types.
 *
 * <p>Every call throws {@link CloudException} with a {@link CloudException.Reason}. The behaviour
 * below is the contract that {@code VpcApiContractTest} (module {@code cloud-testkit}) checks for
 * every provider:
 *
 * <ul>
 *   <li><b>Gone is typed.</b> Naming an instance, ENI or subnet that does not exist is {@code
 *       NOT_FOUND}, for every call, including a second {@link #deleteEni}. Teardown code treats
 *       {@code NOT_FOUND} as success.
 *   <li><b>Idempotent where it can be.</b> {@link #attachEni} of an ENI already attached to the
 *       same instance at the same index returns it unchanged; {@link #detachEni} of an unattached
 *       ENI returns it unchanged; {@link #assignIps} of specific addresses the ENI already holds is
 *       a no-op for those; {@link #unassignIps} ignores addresses the ENI does not hold.
 *   <li><b>Not idempotent:</b> {@link #createEni} and {@link #assignIps} with a count. A retry
 *       after an ambiguous failure ({@code TRANSIENT}) may create a second ENI or assign more
 *       addresses; both carry the ENI's ownership tags, so garbage collection finds them.
 *   <li><b>Conflicts.</b> Attaching an ENI attached elsewhere, or at a device index in use, and
 *       deleting an attached ENI, are {@code CONFLICT}; so is assigning an address another ENI
 *       holds.
 *   <li><b>Limits.</b> Attaching beyond {@link Instance#eniQuota()} or assigning beyond {@link
 *       Instance#ipsPerEni()} on an attached ENI is {@code QUOTA_EXCEEDED}; asking a subnet for
 *       more addresses than it has free is {@code INSUFFICIENT_ADDRESSES}. Both change nothing (all
 *       or nothing).
 *   <li><b>Invalid.</b> Detaching a primary ENI (device index 0), unassigning an ENI's primary IP,
 *       or assigning an address outside the ENI's subnet is {@code INVALID_REQUEST}.
 *   <li><b>Eventually consistent.</b> A newly created ENI may be missing from {@link #listEnis} and
 *       {@link #describeEni} for a while; callers that need it use the returned {@link Eni}.
 * </ul>
 *
 * <p>Implementations are thread-safe. Rate limiting and retries are not their job: wrap them in
 * {@link RateLimitedVpcApi} and {@link RetryingVpcApi}.
 */
public interface VpcApi extends AutoCloseable {

  /** The instance with its type, limits, primary ENI, subnet and security groups. */
  Instance describeInstance(String instanceId);

  /** The subnet with its CIDR, zone and free address count. */
  Subnet describeSubnet(String subnetId);

  /** Creates an unattached ENI (status {@link EniStatus#AVAILABLE}). */
  Eni createEni(EniCreateRequest request);

  /** One ENI by id. */
  Eni describeEni(String eniId);

  /** The ENIs matching {@code filter}, in no particular order. */
  List<Eni> listEnis(EniFilter filter);

  /**
   * Attaches an ENI to an instance at {@code deviceIndex} (1 or more; 0 is the primary ENI).
   *
   * @return the ENI as attached (some clouds report {@link EniStatus#ATTACHING} first)
   */
  Eni attachEni(String eniId, String instanceId, int deviceIndex);

  /**
   * Detaches an ENI from whatever instance holds it.
   *
   * @return the ENI as detached (some clouds report {@link EniStatus#DETACHING} first)
   */
  Eni detachEni(String eniId);

  /** Deletes an unattached ENI and releases all its addresses. */
  void deleteEni(String eniId);

  /**
   * Assigns secondary IPs to an ENI, all or nothing.
   *
   * @return for a count, the addresses newly assigned; for specific addresses, those addresses
   */
  List<IpAddress> assignIps(String eniId, IpAssignment request);

  /** Unassigns secondary IPs from an ENI and returns them to the subnet. */
  void unassignIps(String eniId, Collection<IpAddress> ips);

  /** Releases connections and threads. The default does nothing. */
  @Override
  default void close() {}
}
