package io.isola.linux.cgroup;

public enum CgroupVersion {
    V1,
    V2
}
