package dev.dpo4j.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The package rules of dpo-core, which the design section of the README describes. */
class ArchitectureTest {

    private static JavaClasses core;

    @BeforeAll
    static void importCore() {
        core = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.dpo4j.core");
    }

    @Test
    void theModelKnowsNothingOfCheckpointsDataOrLosses() {
        noClasses().that().resideInAPackage("dev.dpo4j.core.model..").should().dependOnClassesThat()
                .resideInAnyPackage("dev.dpo4j.core.checkpoint..", "dev.dpo4j.core.data..", "dev.dpo4j.api.loss..")
                .check(core);
    }

    @Test
    void theTokenizerKnowsNothingOfCheckpoints() {
        noClasses().that().resideInAPackage("dev.dpo4j.core.tokenizer..").should().dependOnClassesThat()
                .resideInAPackage("dev.dpo4j.core.checkpoint..").check(core);
    }

    @Test
    void internalsServeOnlyTheTrainerAndEachOther() {
        classes().that().resideInAPackage("dev.dpo4j.core.internal..").should().onlyBeAccessed()
                .byClassesThat().resideInAnyPackage("dev.dpo4j.core.internal..", "dev.dpo4j.core.train..",
                        "dev.dpo4j.core.optim..", "dev.dpo4j.core.checkpoint..", "dev.dpo4j.core.loss..")
                .check(core);
    }

    @Test
    void theBuildingBlocksNeverReachUpToTheTrainer() {
        noClasses().that().resideOutsideOfPackage("dev.dpo4j.core.train..").should().dependOnClassesThat()
                .resideInAPackage("dev.dpo4j.core.train..").check(core);
    }

    @Test
    void theTestFixturesServeOnlyTests() {
        noClasses().that().resideOutsideOfPackage("dev.dpo4j.core.testing..").should().dependOnClassesThat()
                .resideInAPackage("dev.dpo4j.core.testing..").check(core);
    }

    @Test
    void packagesFormNoCycles() {
        slices().matching("dev.dpo4j.core.(**)").should().beFreeOfCycles().check(core);
    }

    @Test
    void everyPackageSaysWhatItIsFor() throws IOException {
        Path sources = Path.of("src/main/java");
        try (Stream<Path> walk = Files.walk(sources)) {
            List<Path> undocumented = walk.filter(Files::isDirectory).filter(ArchitectureTest::holdsJava)
                    .filter(dir -> !Files.exists(dir.resolve("package-info.java"))).toList();
            assertThat(undocumented).as("packages without package-info.java").isEmpty();
        }
    }

    private static boolean holdsJava(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.anyMatch(f -> f.toString().endsWith(".java") && !f.endsWith("package-info.java"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
