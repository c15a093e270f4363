package io.isola.vm;

import io.isola.core.StatePaths;
import java.util.Map;
import java.util.function.Consumer;

/** Entry point for {@code isola image build}. */
public final class VmImages {
    private VmImages() {}

    /** The content hash of the image the vm engine would use, or null when none is built (for isola doctor). */
    public static String builtHash(StatePaths paths, Map<String, String> env) {
        VmImage image = VmImage.find(VmOptions.fromEnvironment(paths, env).imageDir());
        return image == null ? null : image.hash();
    }

    /** Where that image is, built or not. */
    public static java.nio.file.Path imageDir(StatePaths paths, Map<String, String> env) {
        return VmOptions.fromEnvironment(paths, env).imageDir();
    }

    /** Builds (or rebuilds) the image and returns its content hash. */
    public static String build(StatePaths paths, Consumer<String> progress) {
        VmOptions opt = VmOptions.fromEnvironment(paths, Map.of());
        return new ImageBuilder(opt.imageDir(), ImageBuilder.runningJdk(), progress)
                .build()
                .hash();
    }
}
