package io.vpccni.agent.policy;

import java.io.IOException;

/** Puts a whole rendered rule set in force, atomically ({@link Nft} in production). */
@FunctionalInterface
public interface RuleApplier {
  void apply(String script) throws IOException;
}
