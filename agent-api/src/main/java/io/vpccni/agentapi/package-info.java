/**
 * The versioned protocol between the CNI binary and the node agent ({@link
 * io.vpccni.agentapi.AgentRequest}, {@link io.vpccni.agentapi.AgentResponse}, {@link
 * io.vpccni.agentapi.AgentClient}), and the project's one small JSON codec ({@link
 * io.vpccni.agentapi.Json}) shared by the JDK-only modules. JDK only; never logs.
 */
package io.vpccni.agentapi;
