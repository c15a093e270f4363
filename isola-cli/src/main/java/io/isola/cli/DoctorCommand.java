package io.isola.cli;

import io.isola.cli.args.Command;
import io.isola.cli.args.Option;
import io.isola.cli.args.UsageException;
import io.isola.linux.Libc;
import io.isola.linux.Seccomp;
import io.isola.linux.cgroup.CgroupTree;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** {@code isola doctor}: what this machine lacks, and how to fix it. */
final class DoctorCommand implements Command {
    private int problems;

    @Override
    public String name() {
        return "doctor";
    }

    @Override
    public String summary() {
        return "check what Isola needs on this machine";
    }

    @Override
    public List<String> description() {
        return List.of("Checks what Isola needs on this machine and says how to fix what is missing; then says whether",
                "the VM image is built, which policy is in force, where state lives and how big it and the audit",
                "log are.");
    }

    @Override
    public List<Option> options() {
        return List.of();
    }

    @Override
    public String operands() {
        return "";
    }

    @Override
    public void set(Option option, String value) {
        throw new IllegalStateException("doctor has no options");
    }

    @Override
    public void operands(List<String> operands) throws UsageException {
        if (!operands.isEmpty()) {
            throw new UsageException("doctor takes no arguments");
        }
    }

    @Override
    public int call() {
        check("running as root", Libc.geteuid() == 0, "run isola with sudo");
        check("bubblewrap", Files.isExecutable(Path.of("/usr/bin/bwrap")), "apt-get install bubblewrap");
        check("libseccomp", Seccomp.available(), "apt-get install libseccomp2");
        check("util-linux unshare", Files.isExecutable(Path.of("/usr/bin/unshare")), "apt-get install util-linux");
        check("overlayfs", filesystems().contains("overlay"), "modprobe overlay");
        try {
            String cg = CgroupTree.open(Path.of("/sys/fs/cgroup"), "isola").version().name().toLowerCase();
            check("cgroups (" + cg + ")", true, "");
        } catch (RuntimeException e) {
            check("cgroups", false, e.getMessage());
        }
        check("user namespaces", Files.exists(Path.of("/proc/self/ns/user")), "enable CONFIG_USER_NS");
        VmDoctor.report(Session.paths(null), System.out);
        problems += StateDoctor.report(Session.paths(null), System.getenv(), System.out);
        System.out.println(problems == 0 ? "ready: the sandbox engine can make cells here"
                : problems + " problem(s): fix them and run isola doctor again");
        return problems == 0 ? 0 : 1;
    }

    private void check(String what, boolean ok, String fix) {
        System.out.println((ok ? "  ok    " : "  FAIL  ") + what + (ok ? "" : ": " + fix));
        if (!ok) {
            problems++;
        }
    }

    private static String filesystems() {
        try {
            return Files.readString(Path.of("/proc/filesystems"));
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
