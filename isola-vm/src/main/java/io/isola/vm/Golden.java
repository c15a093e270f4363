package io.isola.vm;

import io.isola.core.FileTrees;
import io.isola.core.IsolaException;
import io.isola.linux.Libc;
import io.isola.linux.cgroup.CgroupTree;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The golden snapshot: a VM booted once with its agent up and warmed (one command run), then saved as its RAM file
 * and its device state. With QEMU's x-ignore-shared capability the migration stream leaves the RAM out (the RAM
 * file already holds it), so saving takes milliseconds and clones map the same file privately, copy-on-write.
 * Nothing maps the RAM file shared again once it is saved.
 */
final class Golden {
    /**
     * How the golden VM is prepared before it is saved (its warm-up, its devices: v5 added the network port); a new
     * version makes a new golden.
     */
    private static final int VERSION = 5;

    record Snapshot(Path ram, Path state) {}

    private Golden() {}

    static Snapshot ensure(
            VmImage image, VmOptions opt, Accelerator accel, CgroupTree cgroups, Consumer<String> progress) {
        Path dir = opt.goldenDir();
        // anything a clone must start the same way as the golden VM: a change makes a new golden
        String meta = "v" + VERSION + " " + image.hash() + " " + String.join(" ", accel.qemuArgs) + " " + opt.memoryMb()
                + "M" + accel.kernelArgs + "\n";
        Snapshot files = new Snapshot(dir.resolve("ram"), dir.resolve("state"));
        try {
            if (Files.exists(dir.resolve("meta"))
                    && Files.readString(dir.resolve("meta")).equals(meta)) {
                return files;
            }
            progress.accept(
                    "booting the golden VM (" + accel + ", " + opt.memoryMb() + " MiB) and saving its snapshot");
            Path tmp = dir.resolveSibling("golden.new");
            FileTrees.delete(tmp);
            Files.createDirectories(tmp);
            Snapshot t = new Snapshot(tmp.resolve("ram"), tmp.resolve("state"));
            try (RandomAccessFile ram = new RandomAccessFile(t.ram().toFile(), "rw")) {
                ram.setLength((long) opt.memoryMb() << 20);
            }
            Libc.chmod(t.ram().toString(), 0600);
            if (Libc.geteuid() == 0) {
                // QEMU 7.2 opens a private RAM file read-write too (8.2's rom=off would not): it must own it
                Libc.chown(t.ram().toString(), opt.uid(), opt.uid());
                // the saving shell reopens QEMU's descriptor 7 by its /proc name, as QEMU's user
                Files.createFile(t.state());
                Libc.chown(t.state().toString(), opt.uid(), opt.uid());
            }
            save(image, t, opt, accel, cgroups);
            if (Libc.geteuid() == 0) {
                // Clones map a sealed copy (GoldenRam); once saved, the files are root's alone.
                for (Path p : List.of(t.ram(), t.state())) {
                    Libc.chown(p.toString(), 0, 0);
                    Libc.chmod(p.toString(), 0600);
                }
            }
            Files.writeString(tmp.resolve("meta"), meta);
            FileTrees.delete(dir);
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            return files;
        } catch (IOException e) {
            throw new IsolaException("cannot make the golden snapshot in " + dir + ": " + e.getMessage());
        }
    }

    private static void save(VmImage image, Snapshot t, VmOptions opt, Accelerator accel, CgroupTree cgroups)
            throws IOException {
        try (Vm vm = Vm.start(Vm.Mode.GOLDEN, image, t, null, opt, accel, cgroups)) {
            Ready.await(vm, opt.readyTimeout());
            warmUp(vm);
            warmUpFiles(vm, t.state().getParent());
            vm.qmp.execute(
                    "migrate-set-capabilities",
                    Map.of("capabilities", List.of(Map.of("capability", "x-ignore-shared", "state", true))));
            vm.qmp.execute("migrate", Map.of("uri", "exec:cat > /proc/" + vm.pid + "/fd/7"));
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (true) {
                String status = Qmp.field(vm.qmp.execute("query-migrate", Map.of()), "status");
                if ("completed".equals(status)) {
                    break;
                }
                if ("failed".equals(status) || System.nanoTime() > deadline) {
                    throw new IOException("saving the golden VM " + status + " (" + QemuDeath.console(vm.log()) + ")");
                }
                sleep();
            }
        }
    }

    /**
     * Runs /bin/true as a task would, in a task's environment, so that it takes the task's path. In the golden VM
     * this leaves what every task start reads in the guest's page cache, which clones inherit; in a pool clone under
     * TCG it fills the translation cache, which they do not.
     */
    static void warmUp(Vm vm) throws IOException {
        vm.agent.run(List.of("/bin/true"), io.isola.core.CellEnvironment.build(Map.of(), List.of()), "/");
        vm.agent.stdinEof(); // as a task's empty stdin does
        vm.agent.relay(new Discard());
    }

    /**
     * Takes one task with an input file and an output file through the agent: receive, run, harvest. The agent's
     * JVM only interprets, and loading and initializing the classes of that path costs it ~0.5 s under TCG; done
     * here, every clone inherits them ready. The folder is removed again, so clones start with an empty /tmp.
     */
    private static void warmUpFiles(Vm vm, Path scratch) throws IOException {
        String dir = "/tmp/.isola-warm-up";
        Map<String, String> env = io.isola.core.CellEnvironment.build(Map.of(), List.of());
        vm.agent.mkdir(dir + "/in");
        vm.agent.mkdir(dir + "/out");
        vm.agent.file(dir + "/in/a", new java.io.ByteArrayInputStream("warm-up\n".getBytes()));
        vm.agent.run(List.of("/bin/cp", dir + "/in/a", dir + "/out/b"), env, dir);
        expectSuccess(vm, "cp");
        Path into = Files.createDirectory(scratch.resolve("warm-up"));
        try {
            vm.agent.harvest(
                    dir + "/out",
                    List.of(dir + "/in"),
                    new io.isola.core.output.Harvester(into, io.isola.core.OutputQuota.DEFAULT),
                    io.isola.core.OutputQuota.DEFAULT);
        } finally {
            FileTrees.delete(into);
        }
        vm.agent.run(List.of("/bin/rm", "-rf", dir), env, "/");
        expectSuccess(vm, "rm");
    }

    private static void expectSuccess(Vm vm, String what) throws IOException {
        int code = vm.agent.relay(new Discard());
        if (code != 0) {
            throw new IOException("the golden VM's warm-up " + what + " exited with " + code + " ("
                    + QemuDeath.console(vm.log()) + ")");
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IsolaException("interrupted while saving the golden VM");
        }
    }

    /** Throws away what the warm-up command prints. */
    static final class Discard implements AgentChannel.TaskOutput {
        @Override
        public void stdout(byte[] data) {}

        @Override
        public void stderr(byte[] data) {}

        @Override
        public void agentError(String message) {}
    }
}
