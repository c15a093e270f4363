package io.isola.vm;

import io.isola.core.Cell;
import io.isola.core.CellSpec;
import io.isola.core.Engine;
import io.isola.core.EngineNames;
import io.isola.core.IsolaException;
import io.isola.core.Stdio;
import io.isola.core.audit.AuditLog;
import io.isola.linux.cgroup.CgroupTree;
import io.isola.linux.cgroup.CgroupUnavailableException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Engine "vm": each cell is a QEMU micro-VM cloned from the golden snapshot. Starting the engine cleans up after a
 * killed Isola, builds the image and the snapshot if they are missing or stale, probes the accelerator and fills the
 * pool; a cell then only takes a ready clone.
 */
public final class VmEngine implements Engine {
    public static final String NAME = EngineNames.VM;
    private final VmOptions opt;
    private final AuditLog audit;
    private final VmImage image;
    private final Accelerator accel;
    private final CgroupTree cgroups;
    private final Golden.Snapshot golden;
    /** What every clone maps as its RAM; see {@link GoldenRam}. */
    private final GoldenRam goldenRam;

    private final VmPool pool;
    private final Set<VmCell> open = new HashSet<>();

    /** An engine that builds the image first when there is none (tests, benchmarks). */
    public VmEngine(VmOptions opt, AuditLog audit, Consumer<String> progress) {
        this(opt, audit, progress, true);
    }

    /**
     * @param buildImage whether a missing image is built here; the CLI says to run {@code isola image build}
     *     instead, because its one-shot JVM runs interpreted and hashing the image would take minutes
     */
    public VmEngine(VmOptions opt, AuditLog audit, Consumer<String> progress, boolean buildImage) {
        this.opt = opt;
        this.audit = audit;
        if (!Files.isExecutable(Path.of("/usr/bin/qemu-system-x86_64"))) {
            throw new IsolaException("the vm engine needs QEMU: apt-get install qemu-system-x86");
        }
        try {
            this.cgroups = CgroupTree.open(Path.of("/sys/fs/cgroup"), "isola-vm");
        } catch (CgroupUnavailableException e) {
            throw new IsolaException(e.getMessage());
        }
        try {
            Files.createDirectories(opt.runDir());
        } catch (IOException e) {
            throw new IsolaException("cannot create " + opt.runDir() + ": " + e.getMessage());
        }
        VmJanitor.sweep(opt.runDir(), cgroups);
        // Copying the golden RAM takes ~125 ms: start it now, beside the checks below, from the golden there is.
        GoldenRam ram = GoldenRam.copyOf(opt.goldenDir().resolve("ram"));
        try {
            VmImage found = VmImage.find(opt.imageDir());
            if (found == null && !buildImage) {
                throw new IsolaException("the vm engine has no image yet: build it once with: isola image build");
            }
            if (found == null || !found.inputs().equals(ImageBuilder.inputs(ImageBuilder.runningJdk()))) {
                progress.accept("no VM image, or one made from other inputs: building it (isola image build does "
                        + "this ahead)");
                found = new ImageBuilder(opt.imageDir(), ImageBuilder.runningJdk(), progress).build();
            }
            this.image = found;
            this.accel = Probe.accelerator(image, opt.dir());
            this.golden = Golden.ensure(image, opt, accel, cgroups, progress);
            if (ram == null || !ram.isCopyOf(golden.ram())) {
                if (ram != null) {
                    ram.close(); // a copy of the golden that was just replaced
                }
                ram = GoldenRam.copyOf(golden.ram());
            }
        } catch (RuntimeException e) {
            if (ram != null) {
                ram.close();
            }
            throw e;
        }
        this.goldenRam = ram;
        this.pool = new VmPool(opt.poolSize(), this::warmClone);
    }

    /** A clone restored from the golden snapshot whose agent has answered. */
    Vm readyClone() {
        return readyClone(opt.readyTimeout());
    }

    /**
     * A ready clone that has also run /bin/true, twice. Under TCG a clone starts with an empty translation cache, and
     * its first command pays for translating the agent's, exec's and libc's code (measured ~500 ms against ~40 ms for
     * the second); the pool pays that ahead, off the task's path. It leaves nothing behind: the process has exited.
     */
    Vm warmClone() {
        Vm vm = readyClone();
        if (accel == Accelerator.TCG) {
            // A clone whose warm-up never answers is closed after the time a clone has to become ready, so the
            // pool's thread tries another instead of waiting on it for good (a test once waited 120 s for a pool).
            long ms = opt.readyTimeout().toMillis();
            try (Ready.Watchdog dog = new Ready.Watchdog(vm, opt.readyTimeout())) {
                try {
                    // Twice: a second run still found code to translate. Hand-off ~39-43 ms against ~44-45 ms with
                    // one run (three alternating rounds of 20).
                    Golden.warmUp(vm);
                    Golden.warmUp(vm);
                } catch (IOException | RuntimeException e) {
                    vm.close();
                    throw new IsolaException("a pool clone failed its warm-up command: "
                            + (dog.fired() ? "no answer within " + ms + " ms" : e.getMessage()));
                }
                if (!dog.disarm()) {
                    throw new IsolaException("a pool clone failed its warm-up command: no answer within " + ms + " ms");
                }
            }
        }
        return vm;
    }

    Vm readyClone(java.time.Duration timeout) {
        Vm vm = Vm.start(Vm.Mode.CLONE, image, golden, goldenRam, opt, accel, cgroups);
        Ready.await(vm, timeout);
        return vm;
    }

    CgroupTree cgroups() {
        return cgroups;
    }

    VmOptions options() {
        return opt;
    }

    /** A VM booted from the kernel, as a cold start is measured (no snapshot). */
    Vm coldBoot() {
        Vm vm = Vm.start(Vm.Mode.COLD, image, golden, null, opt, accel, cgroups);
        Ready.await(vm, opt.readyTimeout());
        return vm;
    }

    public Accelerator accelerator() {
        return accel;
    }

    public String imageHash() {
        return image.hash();
    }

    public int poolReady() {
        return pool.ready();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Cell start(CellSpec spec, Stdio stdio) {
        // a folder of Isola's own (a window's screen folder) is not a host path: the guest mirrors it (VmCell)
        if (spec.view().stream().anyMatch(v -> !v.isolaOwn())) {
            throw new IsolaException(
                    "the vm engine shows no host paths (--ro/--rw): pass files as task inputs, or use "
                            + "--engine sandbox",
                    2);
        }
        Vm vm = pool.take();
        try {
            VmCell[] self = new VmCell[1];
            VmCell cell = new VmCell(vm, spec, stdio, audit, () -> {
                synchronized (open) {
                    open.remove(self[0]);
                }
            });
            self[0] = cell;
            synchronized (open) {
                open.add(cell);
            }
            return cell;
        } catch (IOException e) {
            String said = vm.awaitExit(java.time.Duration.ofSeconds(2)) ? vm.death() : QemuDeath.console(vm.log());
            vm.close();
            throw new IsolaException(
                    "the cell's VM failed while its task was sent: " + e.getMessage() + " (" + said + ")");
        }
    }

    @Override
    public void close() {
        pool.close();
        List<VmCell> cells;
        synchronized (open) {
            cells = List.copyOf(open);
        }
        cells.forEach(VmCell::close);
        goldenRam.close();
    }
}
