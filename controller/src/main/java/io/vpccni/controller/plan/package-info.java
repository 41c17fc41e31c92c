/**
 * Pool planning, a pure function (STYLE.md rule 4, "plan, then apply"): from a node's state (its
 * instance limits, ENIs and their IPs, what the agent reports in use, cooling and waiting) and its
 * warm-pool settings, {@link io.vpccni.controller.plan.PoolPlanner} computes a {@link
 * io.vpccni.controller.plan.PoolPlan}: which IPs to assign to which ENI, which ENIs to create and
 * attach, which free IPs to unassign and which empty ENIs to delete. No cloud types, no I/O, no
 * clock reads: time comes in as an argument. The executor that performs a plan lives elsewhere.
 */
package io.vpccni.controller.plan;
