/**
 * fabric8's mock Kubernetes API server as this project runs it: the CRUD dispatcher with the
 * watch-close stall fixed ({@link io.vpccni.kubemock.WatchSafeCrudDispatcher}). Used by the local
 * cluster's API server stand-in ({@code vpc-cni-cli local}) and by the tests' {@code @MockKubeApi}.
 */
package io.vpccni.kubemock;
