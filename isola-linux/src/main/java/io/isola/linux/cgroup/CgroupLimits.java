package io.isola.linux.cgroup;

/** What a cgroup may use. Zero or negative means "no limit" for that resource. */
public record CgroupLimits(long memoryBytes, int maxPids, double cpus) {}
