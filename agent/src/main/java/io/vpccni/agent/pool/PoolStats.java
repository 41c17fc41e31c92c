package io.vpccni.agent.pool;

/** Counts for STATUS, introspection and metrics. */
public record PoolStats(int total, int used, int cooling, int free) {}
