package io.isola.cli;

import io.isola.cli.args.Command;
import io.isola.cli.args.Option;
import io.isola.cli.args.UsageException;
import io.isola.core.StatePaths;
import io.isola.linux.Libc;
import io.isola.linux.Seccomp;
import io.isola.linux.cgroup.CgroupTree;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code isola doctor}: what this machine lacks, and how to fix it. */
final class DoctorCommand implements Command {
    private static final Option JSON = Option.flag("--json", "print one JSON object instead of text");
    private final List<DoctorLine> lines = new ArrayList<>();
    private boolean json;

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
        return List.of(
                "Checks what Isola needs on this machine and says how to fix what is missing; then says whether",
                "the VM image is built, which policy is in force, where state lives and how big it and the audit",
                "log are. --json prints all of it as one JSON object (docs/trust.md lists its keys).");
    }

    @Override
    public List<Option> options() {
        return List.of(JSON);
    }

    @Override
    public String operands() {
        return "";
    }

    @Override
    public void set(Option option, String value) {
        json = true; // --json, its only option
    }

    @Override
    public void operands(List<String> operands) throws UsageException {
        if (!operands.isEmpty()) {
            throw new UsageException("doctor takes no arguments");
        }
    }

    @Override
    public int call() throws java.io.IOException {
        check("running as root", Libc.geteuid() == 0, "run isola with sudo");
        check("bubblewrap", Files.isExecutable(Path.of("/usr/bin/bwrap")), "apt-get install bubblewrap");
        check("libseccomp", Seccomp.available(), "apt-get install libseccomp2");
        check("util-linux unshare", Files.isExecutable(Path.of("/usr/bin/unshare")), "apt-get install util-linux");
        check("overlayfs", filesystems().contains("overlay"), "modprobe overlay");
        try {
            String cg = CgroupTree.open(Path.of("/sys/fs/cgroup"), "isola")
                    .version()
                    .name()
                    .toLowerCase();
            lines.add(DoctorLine.check("cgroups", true, cg, ""));
        } catch (RuntimeException e) {
            check("cgroups", false, e.getMessage());
        }
        check("user namespaces", Files.exists(Path.of("/proc/self/ns/user")), "enable CONFIG_USER_NS");
        StatePaths paths = Session.paths(null);
        lines.addAll(VmDoctor.lines(paths));
        StateDoctor state = StateDoctor.of(paths, System.getenv());
        lines.addAll(state.lines());
        long problems = lines.stream().filter(DoctorLine::problem).count();
        if (json) {
            System.out.println(DoctorJson.of(lines, problems, state, VmDoctor.accelerator(paths)));
        } else {
            lines.forEach(l -> System.out.println(l.text()));
            System.out.println(
                    problems == 0
                            ? "ready: the sandbox engine can make cells here"
                            : problems + " problem(s): fix them and run isola doctor again");
        }
        return problems == 0 ? 0 : 1;
    }

    private void check(String what, boolean ok, String fix) {
        lines.add(DoctorLine.check(what, ok, "", fix));
    }

    private static String filesystems() {
        try {
            return Files.readString(Path.of("/proc/filesystems"));
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
