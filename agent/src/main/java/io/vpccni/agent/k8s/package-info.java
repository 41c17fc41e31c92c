/**
 * The agent's Kubernetes side: it reads its node's {@code NodeENI} spec (the ENIs and IPs the
 * controller attached) and writes its status (IPs in use, cooling, free, demand, conditions). It
 * never calls the cloud (ARCHITECTURE.md: nodes hold no cloud credentials).
 */
package io.vpccni.agent.k8s;
