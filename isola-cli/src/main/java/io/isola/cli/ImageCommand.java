package io.isola.cli;

import io.isola.cli.args.Command;
import io.isola.cli.args.Option;
import io.isola.cli.args.UsageException;
import io.isola.core.StatePaths;
import io.isola.vm.VmImages;
import java.nio.file.Path;
import java.util.List;

/** {@code isola image build}: builds the vm engine's image from this host's Debian packages. */
final class ImageCommand implements Command {
    private static final Option STATE_DIR = Option.value("--state-dir", "DIR", "where Isola keeps its state");
    private Path stateDir;

    @Override
    public String name() {
        return "image";
    }

    @Override
    public String summary() {
        return "build the vm engine's image (image build)";
    }

    @Override
    public List<String> description() {
        return List.of("image build: builds the VM image (Debian cloud kernel, an initramfs with busybox and the "
                + "guest agent, a read-only squashfs of /usr) from this host's packages, and prints its content "
                + "hash. Building again from the same host gives the same hash.");
    }

    @Override
    public List<Option> options() {
        return List.of(STATE_DIR);
    }

    @Override
    public String operands() {
        return "build";
    }

    @Override
    public void set(Option option, String value) {
        stateDir = Path.of(value);
    }

    @Override
    public void operands(List<String> operands) throws UsageException {
        if (!operands.equals(List.of("build"))) {
            throw new UsageException("image takes one verb: build");
        }
    }

    @Override
    public int call() {
        StatePaths paths = Session.paths(stateDir);
        String hash = VmImages.build(paths, line -> System.err.println("image: " + line));
        System.out.println("sha256:" + hash);
        return 0;
    }
}
