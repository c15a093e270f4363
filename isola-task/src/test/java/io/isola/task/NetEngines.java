package io.isola.task;

import io.isola.core.Engine;
import io.isola.core.StatePaths;
import io.isola.core.audit.AuditLog;
import io.isola.vm.VmEngine;
import io.isola.vm.VmOptions;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * The engines the end-to-end network tests run in, by name. The vm engine runs them once it carries a cell's proxy
 * connections to the egress; until its plumbing is merged it ignores {@code Network.through} (its classes never read
 * a spec's network), and its case is skipped with that reason printed.
 */
final class NetEngines {
    static final String VM_NOT_MERGED = "the vm engine's proxy plumbing is not merged yet";
    private static VmEngine vm;

    private NetEngines() {}

    static Engine engine(String name, TaskHarness h) {
        if (name.equals(h.engine.name())) {
            return h.engine;
        }
        if (!vmReadsNetwork()) {
            skip(VM_NOT_MERGED);
        }
        if (!Files.isExecutable(Path.of("/usr/bin/qemu-system-x86_64"))) {
            skip("the vm engine needs QEMU (qemu-system-x86), which this machine lacks");
        }
        synchronized (NetEngines.class) {
            if (vm == null) {
                Path state = Path.of("target/vm-test-state").toAbsolutePath();
                AuditLog audit = AuditLog.open(state.resolve("audit.jsonl"));
                vm = new VmEngine(VmOptions.fromEnvironment(new StatePaths(state), Map.of()).withPoolSize(1), audit,
                        line -> System.out.println("[vm test set-up] " + line));
                Runtime.getRuntime().addShutdownHook(new Thread(vm::close));
            }
            return vm;
        }
    }

    private static void skip(String why) {
        System.out.println("SKIP vm: " + why);
        Assumptions.abort(why);
    }

    /**
     * Whether any class of the vm engine reads a spec's network ({@code Network.egress()} or {@code reachesOut()}):
     * one that never does cannot carry a connection, so {@code Network.through} would be silently ignored.
     */
    static boolean vmReadsNetwork() {
        try {
            Path code = Path.of(VmEngine.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (!Files.isDirectory(code)) {
                try (var jar = new java.util.jar.JarFile(code.toFile())) {
                    return jar.stream().filter(e -> e.getName().startsWith("io/isola/vm/") && e.getName()
                            .endsWith(".class")).anyMatch(e -> {
                                try (InputStream in = jar.getInputStream(e)) {
                                    return readsNetwork(in.readAllBytes());
                                } catch (IOException x) {
                                    throw new java.io.UncheckedIOException(x);
                                }
                            });
                }
            }
            try (Stream<Path> s = Files.walk(code.resolve("io/isola/vm"))) {
                return s.filter(p -> p.toString().endsWith(".class")).anyMatch(p -> {
                    try {
                        return readsNetwork(Files.readAllBytes(p));
                    } catch (IOException x) {
                        throw new java.io.UncheckedIOException(x);
                    }
                });
            }
        } catch (IOException | URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    private static boolean readsNetwork(byte[] classFile) {
        String text = new String(classFile, StandardCharsets.ISO_8859_1);
        return text.contains("reachesOut") || text.contains("egress");
    }
}
