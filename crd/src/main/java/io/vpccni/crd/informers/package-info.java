/** Informer lifecycles shared by the agent and the controller. */
package io.vpccni.crd.informers;
