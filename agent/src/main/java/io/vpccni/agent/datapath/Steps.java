package io.vpccni.agent.datapath;

/**
 * Named points between the steps of an ADD. Production code passes {@link #NONE}. The crash tests
 * use {@link PauseAtStep} to stop the agent at one point and kill it there with SIGKILL, proving
 * that a crash between any two steps loses nothing.
 */
@FunctionalInterface
public interface Steps {
  Steps NONE = step -> {};

  void reached(String step);
}
