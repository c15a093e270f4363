package io.isola.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The README's dependency rules, as the build checks them: front-ends → tasks → trust → the Engine SPI → engines →
 * the kernel bindings. Maven's module graph already stops an import of a module that is not a dependency; these
 * rules also hold where a module may see another but one of its parts must not (tasks and the engines' modules,
 * policy and the engines, the guest and everything).
 */
class ModuleLayersTest {
    @Test
    void everyModuleIsImported() {
        // A rule over no classes passes for nothing: make sure each module's classes are really here.
        for (String pkg : new String[] {
            "cli", "desktop", "service", "bench", "guard", "task", "net", "display", "view", "sandbox", "vm", "guest",
            "linux", "core"
        }) {
            assertThat(Isola.CLASSES.containPackage("io.isola." + pkg)).as(pkg).isTrue();
        }
    }

    @Test
    void dependenciesPointOneWay() {
        layeredArchitecture()
                .consideringOnlyDependenciesInLayers()
                .layer("cli")
                .definedBy("io.isola.cli..")
                .layer("desktop")
                .definedBy("io.isola.desktop..")
                .layer("service")
                .definedBy("io.isola.service..")
                .layer("bench")
                .definedBy("io.isola.bench..")
                .layer("guard")
                .definedBy("io.isola.guard..")
                .layer("task")
                .definedBy("io.isola.task..")
                .layer("net")
                .definedBy("io.isola.net..")
                .layer("display")
                .definedBy("io.isola.display..")
                .layer("view")
                .definedBy("io.isola.view..")
                .layer("sandbox")
                .definedBy("io.isola.sandbox..")
                .layer("vm")
                .definedBy("io.isola.vm..")
                .layer("guest")
                .definedBy("io.isola.guest..")
                .layer("linux")
                .definedBy("io.isola.linux..")
                .layer("core")
                .definedBy("io.isola.core..")
                .whereLayer("cli")
                .mayNotBeAccessedByAnyLayer()
                // the desktop is the person's side: a client of the service, never inside the daemon
                .whereLayer("desktop")
                .mayOnlyBeAccessedByLayers("cli")
                .whereLayer("service")
                .mayOnlyBeAccessedByLayers("desktop", "cli")
                .whereLayer("bench")
                .mayOnlyBeAccessedByLayers("cli")
                // the guard is a front-end's (the CLI's, the service's; the bench measures it), never a task's or an
                // engine's
                .whereLayer("guard")
                .mayOnlyBeAccessedByLayers("service", "bench", "cli")
                .whereLayer("task")
                .mayOnlyBeAccessedByLayers("service", "bench", "cli")
                // the network enforcement point: tasks hand its Egress to cells; engines see only the SPI's Egress
                .whereLayer("net")
                .mayOnlyBeAccessedByLayers("task", "service", "bench", "cli")
                // windows from cells: a task's (open --window), drawn in the caller's own process (the command's, or
                // the desktop's for a cell the service runs), never the service's
                .whereLayer("display")
                .mayOnlyBeAccessedByLayers("task", "desktop", "bench", "cli")
                .whereLayer("view")
                .mayOnlyBeAccessedByLayers("task", "bench", "cli")
                // engines are chosen by front-ends; tasks reach them only through the Engine/Cell SPI in core
                .whereLayer("sandbox")
                .mayOnlyBeAccessedByLayers("service", "bench", "cli")
                .whereLayer("vm")
                .mayOnlyBeAccessedByLayers("service", "bench", "cli")
                .whereLayer("guest")
                .mayOnlyBeAccessedByLayers("vm")
                .whereLayer("linux")
                .mayOnlyBeAccessedByLayers(
                        "sandbox", "vm", "guard", "display", "task", "service", "desktop", "bench", "cli")
                .check(Isola.CLASSES);
    }

    @Test
    void theServiceNeverShowsAWindow() {
        noClasses()
                .that()
                .resideInAPackage("io.isola.service..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("io.isola.display..", "java.awt..", "javax.swing..")
                .because("the root service never connects to anyone's display: a window is drawn by the person's own"
                        + " process, in their session (DESIGN.md, docs/windows.md)")
                .check(Isola.CLASSES);
    }

    @Test
    void enginesKnowNothingOfPolicyOrTrust() {
        noClasses()
                .that()
                .resideInAnyPackage("io.isola.sandbox..", "io.isola.vm..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("io.isola.core.policy..", "io.isola.core.trust..")
                .because("engines make the cell a CellSpec describes; what is trusted is decided before (DESIGN.md)")
                .check(Isola.CLASSES);
    }

    @Test
    void policyKnowsNothingOfEngines() {
        noClasses()
                .that()
                .resideInAnyPackage("io.isola.core.policy..", "io.isola.core.trust..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("io.isola.sandbox..", "io.isola.vm..", "io.isola.linux..", "io.isola.guest..")
                .because("the policy names an engine by its word; it never reaches bwrap or QEMU")
                .check(Isola.CLASSES);
    }

    @Test
    void theGuestAgentDependsOnNothingButTheJdk() {
        classes()
                .that()
                .resideInAPackage("io.isola.guest..")
                .should()
                .onlyDependOnClassesThat()
                .resideInAnyPackage("io.isola.guest..", "java..")
                .because("the agent is packed alone into the VM image and runs on the guest's JDK")
                .check(Isola.CLASSES);
    }

    @Test
    void theCoreDependsOnlyOnItsOwnLibraries() {
        classes()
                .that()
                .resideInAPackage("io.isola.core..")
                .should()
                .onlyDependOnClassesThat()
                .resideInAnyPackage(
                        "io.isola.core..", "java..", "javax.crypto..", "com.fasterxml.jackson.core..", "org.tomlj..")
                .check(Isola.CLASSES);
    }
}
