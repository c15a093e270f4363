package io.isola.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * isola image build and isola run --engine vm, as a user runs them. Shares the VM state the isola-vm tests made
 * (image, golden snapshot), so only the image is built again here.
 */
@Tag("qemu")
class VmCliTest {
    private static final Cli VM =
            new Cli(Path.of("../isola-vm/target/vm-test-state").toAbsolutePath().normalize());

    @TempDir
    Path empty;

    @Test
    void withoutAnImageRunSaysToBuildIt() {
        Cli.Result r = new Cli(empty).run("run", "--engine", "vm", "--", "/bin/true");
        assertThat(r.code()).isEqualTo(125);
        assertThat(r.err())
                .contains("isola image build")
                .doesNotContain("Exception")
                .hasLineCount(1);
    }

    @Test
    void imageBuildIsRepeatableAndRunWorks() throws IOException {
        Cli.Result first = VM.run("image", "build");
        assertThat(first.code()).as(first.err()).isZero();
        assertThat(first.out()).matches("sha256:[0-9a-f]{64}\n");
        assertThat(first.err()).contains("squashfs of /usr");
        assertThat(Files.readString(VM.state.resolve("vm/image/hash")).trim())
                .isEqualTo(first.out().trim().substring("sha256:".length()));

        Cli.Result r = VM.run(
                java.util.Map.of(),
                "from stdin\n",
                "run",
                "--engine",
                "vm",
                "--",
                "/bin/sh",
                "-c",
                "cat; echo on $(hostname); exit 3");
        assertThat(r.code()).as(r.err()).isEqualTo(3);
        assertThat(r.out()).isEqualTo("from stdin\non cell\n");

        Cli.Result again = VM.run("image", "build");
        assertThat(again.out()).isEqualTo(first.out());
    }

    @Test
    void aPolicyLevelOnTheVmEngineOpensAndViewsFilesInAVm() throws IOException {
        assertThat(VM.run("image", "build").code()).isZero();
        Path dir = Files.createDirectories(Path.of("target/vm-open").toAbsolutePath());
        Path policy = Files.writeString(dir.resolve("policy.toml"), """
                [level.untrusted]
                engine = "vm"
                persistence = "quarantine"
                [level.untrusted.handlers]
                "text/*" = ["/bin/sh", "-c", 'cat "$1"; uname -r; echo made in a vm > /out/result.txt', "h", "{file}"]
                """);
        Path doc = Files.writeString(dir.resolve("note.txt"), "a note for the vm\n");
        java.util.Map<String, String> env = java.util.Map.of("ISOLA_POLICY", policy.toString());

        Cli.Result open = VM.run(env, null, "open", doc.toString());
        assertThat(open.code()).as(open.err()).isZero();
        assertThat(open.out()).startsWith("a note for the vm\n").contains("cloud-amd64");
        assertThat(open.err()).contains("kept ", "result.txt (quarantine, tainted)");

        Path pdf = Files.copy(
                Path.of("../examples/invoice.pdf"),
                dir.resolve("invoice.pdf"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.deleteIfExists(dir.resolve("invoice.safe.pdf"));
        Cli.Result view = VM.run(env, null, "open", "--view", pdf.toString());
        assertThat(view.code()).as(view.err()).isZero();
        assertThat(dir.resolve("invoice.safe.pdf")).isNotEmptyFile();
        Cleanup.deleteTree(dir);
    }

    /**
     * The image once lacked fonts, fontconfig's /etc and libmagic's data: every text --view failed ("install
     * fonts-dejavu-core") and the example policy's catch-all handler, file, found no magic.
     */
    @Test
    void aVmLevelViewsTextAndNamesUnknownTypes() throws IOException {
        assertThat(VM.run("image", "build").code()).isZero();
        Path dir = Files.createDirectories(Path.of("target/vm-view-text").toAbsolutePath());
        Path policy = Files.writeString(dir.resolve("policy.toml"), """
                [level.untrusted]
                engine = "vm"
                [level.untrusted.handlers]
                "*" = ["file", "{file}"]
                """);
        java.util.Map<String, String> env = java.util.Map.of("ISOLA_POLICY", policy.toString());
        Path text = Files.writeString(dir.resolve("notes.txt"), "a line of text for the safe view\n");
        Files.deleteIfExists(dir.resolve("notes.safe.pdf"));
        Cli.Result view = VM.run(env, null, "open", "--view", text.toString());
        assertThat(view.code()).as(view.err()).isZero();
        assertThat(dir.resolve("notes.safe.pdf")).isNotEmptyFile();

        Path blob = Files.write(dir.resolve("blob.bin"), new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3});
        Cli.Result open = VM.run(env, null, "open", blob.toString());
        assertThat(open.code()).as(open.err()).isZero();
        assertThat(open.out()).contains("gzip compressed data").doesNotContain("magic");
        Cleanup.deleteTree(dir);
    }

    @Test
    void doctorSaysWhichAcceleratorTheProbeFound() {
        Cli.Result r = VM.run("doctor");
        assertThat(r.out()).containsPattern("vm engine accelerator: (TCG|KVM).*; guest CPU (qemu64|host)");
    }

    @Test
    void hostViewsAreRefusedWithAHint() {
        Cli.Result r = VM.run("run", "--engine", "vm", "--ro", "/etc/hostname", "--", "/bin/true");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("task inputs").hasLineCount(1);
    }
}
