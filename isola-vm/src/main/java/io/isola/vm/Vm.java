package io.isola.vm;

import io.isola.core.FileTrees;
import io.isola.core.IsolaException;
import io.isola.linux.Libc;
import io.isola.linux.Sockets;
import io.isola.linux.Spawn;
import io.isola.linux.cgroup.Cgroup;
import io.isola.linux.cgroup.CgroupLimits;
import io.isola.linux.cgroup.CgroupTree;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One QEMU process and everything that belongs to it: its cgroup, its run directory (pid, owner, log) and the three
 * socket pairs to its monitor, to the guest agent and to the guest's network port (the task's proxy connections). Nothing here has a name another process could open. Closing
 * it kills QEMU and removes every trace; the {@link VmJanitor} does the same for a Vm whose Isola was killed.
 */
final class Vm implements AutoCloseable {
    enum Mode {
        /** boot the kernel; guest RAM is private anonymous memory */
        COLD,
        /** boot the kernel with guest RAM in a shared file, to be saved as the golden snapshot */
        GOLDEN,
        /** restore the golden snapshot, its RAM file mapped private and copy-on-write */
        CLONE
    }

    // the descriptor numbers QEMU gets its files and channels on
    private static final int KERNEL = 3, INITRD = 4, ROOTFS = 5, RAM = 6, STATE = 7, AGENT = 8, QMP = 9, NET = 10;

    final String id;
    final int pid;
    final Path dir;
    final Qmp qmp;
    final AgentChannel agent;
    private final Cgroup cgroup;
    private final int agentFd;
    /** The host's end of the network port; {@link #net} owns it once started. */
    private final int netFd;

    private VmNetChannel net;
    private boolean closed;
    /** QEMU's wait status once reaped, else -1: how it ended, for the message that reports its death. */
    private volatile int waitStatus = -1;
    /** What QEMU had written when it was closed: the log goes with its run directory. */
    private volatile String logAtClose;

    private Vm(String id, int pid, Path dir, Qmp qmp, AgentChannel agent, int agentFd, int netFd, Cgroup cgroup) {
        this.netFd = netFd;
        this.id = id;
        this.pid = pid;
        this.dir = dir;
        this.qmp = qmp;
        this.agent = agent;
        this.agentFd = agentFd;
        this.cgroup = cgroup;
    }

    /** @param ram the golden RAM every clone maps (only for {@link Mode#CLONE}) */
    static Vm start(
            Mode mode,
            VmImage image,
            Golden.Snapshot golden,
            GoldenRam ram,
            VmOptions opt,
            Accelerator accel,
            CgroupTree cgroups) {
        String id = Ids.next();
        Path dir = opt.runDir().resolve(id);
        List<Integer> ours = new ArrayList<>();
        int[] qmp = Sockets.pair();
        int[] agent = Sockets.pair();
        int[] net = Sockets.pair();
        Cgroup cg = null;
        int pid = -1;
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("owner"), VmJanitor.me());
            ours.add(qmp[1]);
            ours.add(agent[1]);
            ours.add(net[1]);
            int log = Libc.openWrite(dir.resolve("qemu.log").toString(), false);
            ours.add(log);
            Spawn s = Spawn.of(argv(mode, image, opt, accel, id))
                    .openReadOnly(0, "/dev/null")
                    .fd(1, log)
                    .fd(2, log)
                    .openReadOnly(KERNEL, image.kernel().toString())
                    .openReadOnly(INITRD, image.initrd().toString())
                    .openReadOnly(ROOTFS, image.rootfs().toString())
                    .fd(AGENT, agent[1])
                    .fd(QMP, qmp[1])
                    .fd(NET, net[1]);
            if (mode == Mode.GOLDEN) {
                int state = Libc.openWrite(golden.state().toString(), false);
                ours.add(state);
                s.openReadOnly(RAM, golden.ram().toString()).fd(STATE, state);
            } else if (mode == Mode.CLONE) {
                s.fd(RAM, ram.fd()).openReadOnly(STATE, golden.state().toString());
            }
            cg = cgroups.create(
                    VmJanitor.cgroupName(opt.runDir(), id), new CgroupLimits((opt.memoryMb() + 384L) << 20, 64, 1.0));
            Cgroup group = cg;
            if (cgroups.canSpawnInside()) {
                pid = cgroups.spawnInside(group, s::start);
            } else {
                pid = s.start();
                group.add(pid);
            }
            Files.writeString(dir.resolve("pid"), Integer.toString(pid));
            closeAll(ours);
            ours.clear();
            Qmp monitor = new Qmp(qmp[0]);
            if (mode == Mode.CLONE) {
                monitor.execute(
                        "migrate-set-capabilities",
                        java.util.Map.of(
                                "capabilities",
                                List.of(java.util.Map.of("capability", "x-ignore-shared", "state", true))));
                monitor.execute("migrate-incoming", java.util.Map.of("uri", "fd:" + STATE));
            }
            return new Vm(id, pid, dir, monitor, new AgentChannel(agent[0]), agent[0], net[0], cg);
        } catch (IOException | RuntimeException e) {
            closeAll(ours);
            Libc.close(qmp[0]);
            Libc.close(agent[0]);
            Libc.close(net[0]);
            String log = readLog(dir);
            kill(pid, cg, dir);
            if (e instanceof IsolaException ie) {
                throw ie;
            }
            throw new IsolaException(
                    "QEMU failed to start: " + e.getMessage() + (log.isEmpty() ? "" : " (" + log + ")"));
        }
    }

    private static List<String> argv(Mode mode, VmImage image, VmOptions opt, Accelerator accel, String id) {
        List<String> a = new ArrayList<>();
        // QEMU dies with the thread that started it (the pool's, or the requester's, each outliving its VMs), even
        // when Isola is SIGKILLed: the kernel's parent-death signal, set by setpriv after it changed ids (a change of
        // ids clears it) and kept across the exec of QEMU. VmJanitor still removes what the kernel keeps.
        a.addAll(List.of("/usr/bin/setpriv", "--pdeathsig=KILL"));
        if (Libc.geteuid() == 0) {
            // QEMU never needs root: all its files and channels arrive as open descriptors
            a.addAll(List.of("--reuid=" + opt.uid(), "--regid=" + opt.uid(), "--clear-groups", "--no-new-privs"));
        }
        a.add("--");
        a.addAll(List.of(
                "/usr/bin/qemu-system-x86_64",
                "-name",
                "isola-" + id,
                "-nodefaults",
                "-no-user-config",
                "-display",
                "none",
                "-nic",
                "none",
                "-no-reboot",
                "-smp",
                "1",
                "-m",
                opt.memoryMb() + "M",
                // The golden VM may spawn one process: QEMU 7.2 saves to a numbered descriptor only through a shell
                // ("exec:cat > /proc/PID/fd/7"). It never runs a task; every cell's QEMU has spawn=deny.
                "-sandbox",
                "on,obsolete=deny,elevateprivileges=deny,resourcecontrol=deny,spawn="
                        + (mode == Mode.GOLDEN ? "allow" : "deny")));
        a.addAll(accel.qemuArgs);
        if (mode == Mode.COLD) {
            a.addAll(List.of("-M", "microvm,acpi=on"));
        } else {
            a.addAll(List.of(
                    "-M",
                    "microvm,acpi=on,memory-backend=ram",
                    "-object",
                    "memory-backend-file,id=ram,size=" + opt.memoryMb() + "M,mem-path=/proc/self/fd/" + RAM + ",share="
                            + (mode == Mode.GOLDEN ? "on" : "off")));
        }
        a.addAll(List.of(
                "-kernel",
                "/proc/self/fd/" + KERNEL,
                "-initrd",
                "/proc/self/fd/" + INITRD,
                "-append",
                "console=ttyS0 quiet panic=-1 rdinit=/init tsc_early_khz=" + tscKhz() + accel.kernelArgs,
                "-drive",
                "id=root,file=/proc/self/fd/" + ROOTFS + ",format=raw,if=none,readonly=on,file.locking=off",
                "-device",
                "virtio-blk-device,drive=root",
                "-device",
                "virtio-serial-device",
                "-chardev",
                "socket,id=agent,fd=" + AGENT,
                "-device",
                "virtserialport,chardev=agent,name=isola",
                // The task's proxy connections, on a port of their own: a busy download never delays the agent.
                // The guest has no network device at all (-nic none); this port is its only way out.
                "-chardev",
                "socket,id=net,fd=" + NET,
                "-device",
                "virtserialport,chardev=net,name=isola.net",
                "-chardev",
                "socket,id=qmp,fd=" + QMP,
                "-mon",
                "chardev=qmp,mode=control",
                "-serial",
                "stdio"));
        if (mode == Mode.CLONE) {
            a.addAll(List.of("-incoming", "defer"));
        }
        return a;
    }

    /** TSC calibration can hang on microvm under TCG; the host's rate is as good a guess as any. */
    private static long tscKhz() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("cpu MHz")) {
                    return (long) (Double.parseDouble(
                                    line.substring(line.indexOf(':') + 1).trim())
                            * 1000);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // fall through
        }
        return 2_000_000;
    }

    /** Whether QEMU still runs (reaps it when it has ended, keeping its wait status). */
    synchronized boolean alive() {
        if (closed || waitStatus != -1) {
            return false;
        }
        int status = Libc.waitpid(pid, Libc.WNOHANG);
        if (status == -1) {
            return true;
        }
        waitStatus = status;
        return false;
    }

    /** Waits up to {@code d} for QEMU to end; true when it has. */
    boolean awaitExit(java.time.Duration d) {
        long deadline = System.nanoTime() + d.toNanos();
        while (alive()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** Why the console says the VM ended (a kernel panic's reason, or its last lines), for error messages. */
    String log() {
        String saved = logAtClose;
        return saved != null ? saved : readLog(dir);
    }

    /**
     * How QEMU ended and what it said last, as one clause for a message: e.g. "QEMU was killed by signal 9
     * (SIGKILL); its console's last lines: …". Call it after {@link #alive()} returned false.
     */
    String death() {
        return QemuDeath.describe(waitStatus, log());
    }

    /**
     * The last three lines of QEMU's output and the guest's console, from the log's last 4 KiB (a guest may have
     * written gigabytes): hostile text, so its controls are escaped.
     */
    private static String readLog(Path dir) {
        try {
            return ConsoleLog.summary(dir.resolve("qemu.log"));
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (net != null) {
            net.close();
        } else {
            Libc.close(netFd);
        }
        agent.close();
        qmp.close();
        logAtClose = readLog(dir);
        kill(waitStatus == -1 ? pid : -1, cgroup, dir); // a reaped pid may be another process's by now
    }

    /**
     * Starts relaying the guest's proxy connections to {@code egress}, named {@code cellId}: call before the task's
     * RUN. {@code onBroken} hears why if the guest breaks the network port's protocol (the VM lives on without it).
     */
    synchronized VmNetChannel startNet(
            String cellId, io.isola.core.Egress egress, java.util.function.Consumer<String> onBroken) {
        if (closed || net != null) {
            throw new IllegalStateException(closed ? "the VM is closed" : "the network port is relayed already");
        }
        net = new VmNetChannel(netFd, cellId, egress, onBroken).start();
        return net;
    }

    int agentFd() {
        return agentFd;
    }

    private static void kill(int pid, Cgroup cg, Path dir) {
        if (pid > 0) {
            Libc.kill(pid, Libc.SIGKILL);
            try {
                Libc.waitpid(pid, 0);
            } catch (RuntimeException e) {
                // already reaped by alive()
            }
        }
        if (cg != null) {
            cg.killAll();
            cg.remove();
        }
        try {
            FileTrees.delete(dir);
        } catch (IOException e) {
            // the janitor removes it on the next start
        }
    }

    private static void closeAll(List<Integer> fds) {
        for (int fd : fds) {
            Libc.close(fd);
        }
    }
}
