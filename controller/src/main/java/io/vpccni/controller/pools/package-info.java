/**
 * Node pools: the loop that turns each node's NodeENI status (usage, demand) into a {@link
 * io.vpccni.controller.plan.PoolPlan}, performs it through {@link
 * io.vpccni.controller.pools.NodeOperations} (the per-cloud seam, STYLE.md rule 3), and writes the
 * result back into the NodeENI spec. Policy lives in {@code plan}; this package decides nothing
 * about sizing and knows no cloud types.
 */
package io.vpccni.controller.pools;
