package io.tcpwatch.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layout docs/ARCHITECTURE.md describes, checked on the compiled classes of every module: no
 * two packages import each other (directly or round a circle), and the core, which both the Flink
 * job and {@code tcpwatch analyze} run, imports neither Flink nor the capture code.
 */
class ArchitectureTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.tcpwatch");
    }

    @Test
    void packagesImportInOneDirection() {
        slices().matching("io.tcpwatch.(**)").should().beFreeOfCycles().check(classes);
    }

    @Test
    void theCoreKnowsNeitherFlinkNorCapture() {
        noClasses().that().resideInAPackage("io.tcpwatch.core..")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.flink..", "io.tcpwatch.agent..",
                        "io.tcpwatch.job..", "io.tcpwatch.dashboard..", "io.tcpwatch.cli..", "org.pcap4j..", "com.sun.jna..")
                .check(classes);
    }
}
