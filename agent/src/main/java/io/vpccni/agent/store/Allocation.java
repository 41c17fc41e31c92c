package io.vpccni.agent.store;

import io.vpccni.netaddr.IpAddress;

/**
 * One pod attachment: which IP of which ENI a container's interface holds, and how far its datapath
 * got. Written to the store <em>before</em> any interface is touched (state {@link State#PENDING}),
 * so that a crash at any later step leaves a record that reconcile can finish or undo.
 *
 * @param containerId CNI_CONTAINERID
 * @param ifName CNI_IFNAME
 * @param ip the pod's address
 * @param eniId the ENI that owns it
 * @param podRef namespace/name of the pod (or the container id when the runtime gave no K8S_ args)
 * @param netns CNI_NETNS at ADD time
 * @param hostIf name of the host-side interface (veth) in the node namespace, derived from the
 *     container id and ifName so DEL can find it even from a lost record
 * @param eniIf exclusive mode: the ENI's interface name in the node namespace before it was moved
 *     into the pod (to restore it on DEL); empty otherwise
 * @param createdMillis when the ADD began (epoch ms)
 */
public record Allocation(
    String containerId,
    String ifName,
    IpAddress ip,
    String eniId,
    String podRef,
    String netns,
    String hostIf,
    String eniIf,
    State state,
    long createdMillis) {

  public enum State {
    /** ADD in progress (or interrupted): the datapath may be partly built. */
    PENDING,
    /** ADD finished; the pod owns the IP. */
    READY
  }

  public Key key() {
    return new Key(containerId, ifName);
  }

  public Allocation withState(State s) {
    return new Allocation(
        containerId, ifName, ip, eniId, podRef, netns, hostIf, eniIf, s, createdMillis);
  }

  public Allocation withEniIf(String name) {
    return new Allocation(
        containerId, ifName, ip, eniId, podRef, netns, hostIf, name, state, createdMillis);
  }

  /** An attachment's identity, as CNI defines it: container id + interface name. */
  public record Key(String containerId, String ifName) {
    @Override
    public String toString() {
      return containerId + "/" + ifName;
    }
  }
}
