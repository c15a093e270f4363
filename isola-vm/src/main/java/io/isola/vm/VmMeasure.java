package io.isola.vm;

import java.util.ArrayList;
import java.util.List;

/** What the benchmark measures inside the engine: a cold boot and a clone, each up to the agent's first answer. */
public final class VmMeasure {
    private VmMeasure() {}

    /** QEMU start with a kernel boot, to the agent's READY; nanoseconds. */
    public static long coldBootToReady(VmEngine engine) {
        long t0 = System.nanoTime();
        try (Vm vm = engine.coldBoot()) {
            return System.nanoTime() - t0;
        }
    }

    /** QEMU start restoring the golden snapshot, to the agent's READY; nanoseconds. */
    public static long cloneToReady(VmEngine engine) {
        long t0 = System.nanoTime();
        try (Vm vm = engine.readyClone()) {
            return System.nanoTime() - t0;
        }
    }

    /** Idle ready clones, for memory figures; close them with {@link #close}. */
    public static List<AutoCloseable> idleClones(VmEngine engine, int n) {
        List<AutoCloseable> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(engine.readyClone());
        }
        return out;
    }

    /** The QEMU pid of a clone from {@link #idleClones}. */
    public static int pid(AutoCloseable clone) {
        return ((Vm) clone).pid;
    }

    public static int guestMemoryMb(VmEngine engine) {
        return engine.options().memoryMb();
    }
}
