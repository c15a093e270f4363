package io.isola.task;

import io.isola.display.CellFrames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A real X display standing in for the user's desktop: an Xvfb of the test's own on a free display number, whose
 * screen the test reads as Xvfb keeps it ({@code -fbdir}: the same pixels {@code xwd -root} would save), and which
 * {@code xdotool} types into.
 */
final class HostDisplay implements AutoCloseable {
    static final int WIDTH = 1600, HEIGHT = 1000;
    final String name;
    private final Process xvfb;
    private final Path fbdir;
    private final int width, height;

    private HostDisplay(String name, Process xvfb, Path fbdir, int width, int height) {
        this.name = name;
        this.xvfb = xvfb;
        this.fbdir = fbdir;
        this.width = width;
        this.height = height;
    }

    static HostDisplay start() throws IOException, InterruptedException {
        return start(WIDTH, HEIGHT);
    }

    static HostDisplay start(int width, int height) throws IOException, InterruptedException {
        Path fbdir = Files.createTempDirectory("isola-host-display");
        for (int attempt = 0; attempt < 20; attempt++) {
            int n = 200 + ThreadLocalRandom.current().nextInt(600);
            if (Files.exists(Path.of("/tmp/.X11-unix/X" + n)) || Files.exists(Path.of("/tmp/.X" + n + "-lock"))) {
                continue;
            }
            Process p = new ProcessBuilder(
                            "Xvfb",
                            ":" + n,
                            "-screen",
                            "0",
                            width + "x" + height + "x24",
                            "-fbdir",
                            fbdir.toString(),
                            "-nolisten",
                            "tcp",
                            "-noreset",
                            "-dpi",
                            "96")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (p.isAlive() && !Files.exists(Path.of("/tmp/.X11-unix/X" + n)) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            if (p.isAlive() && Files.exists(Path.of("/tmp/.X11-unix/X" + n))) {
                return new HostDisplay(":" + n, p, fbdir, width, height);
            }
            p.destroyForcibly().waitFor();
        }
        throw new IllegalStateException("no free X display number for the test's Xvfb");
    }

    /** The whole screen now, 0xRRGGBB by row. */
    int[] screen() throws InterruptedException {
        try (CellFrames f =
                CellFrames.open(fbdir.resolve("Xvfb_screen0"), width, height, Duration.ofSeconds(5), () -> true)) {
            f.read();
            return f.pixels().clone();
        }
    }

    /** Runs xdotool on this display and returns its output. */
    String xdotool(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("xdotool"));
        cmd.addAll(List.of(args));
        return run(null, cmd.toArray(String[]::new));
    }

    /** Runs a program on this display with {@code input} (or nothing) on its stdin; returns its output. */
    String run(String input, String... cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (input != null) {
            // a program fed on stdin may leave a child holding its output (xclip -i stays to serve its selection)
            pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        }
        pb.environment().put("DISPLAY", name);
        Process p = pb.start();
        try (var in = p.getOutputStream()) {
            if (input != null) {
                in.write(input.getBytes());
            }
        }
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return out;
    }

    /** A JVM running {@code main} on this display, with this test's class path; its output goes to {@code log}. */
    Process java(Path log, String main, String... args) throws IOException {
        return java(log, java.util.Map.of(), main, args);
    }

    Process java(Path log, java.util.Map<String, String> env, String main, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-Djava.awt.headless=false",
                "-cp",
                System.getProperty("java.class.path"),
                main));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("DISPLAY", name);
        pb.environment().putAll(env);
        return pb.start();
    }

    @Override
    public void close() throws InterruptedException, IOException {
        xvfb.destroy();
        if (!xvfb.waitFor(5, TimeUnit.SECONDS)) {
            xvfb.destroyForcibly().waitFor();
        }
        try (var s = Files.list(fbdir)) {
            for (Path p : s.toList()) {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(fbdir);
    }
}
