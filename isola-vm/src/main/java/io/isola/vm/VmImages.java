package io.isola.vm;

import io.isola.core.StatePaths;
import java.util.Map;
import java.util.function.Consumer;

/** Entry point for {@code isola image build}. */
public final class VmImages {
    private VmImages() {}

    /** Builds (or rebuilds) the image and returns its content hash. */
    public static String build(StatePaths paths, Consumer<String> progress) {
        VmOptions opt = VmOptions.fromEnvironment(paths, Map.of());
        return new ImageBuilder(opt.imageDir(), ImageBuilder.runningJdk(), progress).build().hash();
    }
}
