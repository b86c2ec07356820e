package dev.dpo4j.examples;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The rules between modules (this module's tests see the main classes of all others) and a package-info everywhere. */
class ArchitectureTest {

    private static final Path MODULES = Path.of("..");

    private static JavaClasses all;

    @BeforeAll
    static void importAllModules() {
        all = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.dpo4j");
    }

    @Test
    void theImportSeesEveryModuleOnTheClasspath() {
        assertThat(all.stream().map(c -> c.getPackageName().split("\\.")[2]).distinct())
                .contains("api", "core", "adapters", "cli", "examples");
    }

    @Test
    void coreInternalsAreUsedOnlyInsideDpoCore() {
        noClasses().that().resideOutsideOfPackage("dev.dpo4j.core..").should().dependOnClassesThat()
                .resideInAPackage("dev.dpo4j.core.internal..").check(all);
    }

    @Test
    void theAdaptersKnowNeitherDjlNorTheEngine() {
        noClasses().that().resideInAPackage("dev.dpo4j.adapters..").should().dependOnClassesThat()
                .resideInAnyPackage("ai.djl..", "dev.dpo4j.core..").check(all);
    }

    @Test
    void theApiKnowsNeitherTheEngineNorTheAdapters() {
        noClasses().that().resideInAPackage("dev.dpo4j.api..").should().dependOnClassesThat()
                .resideInAnyPackage("dev.dpo4j.core..", "dev.dpo4j.adapters..").check(all);
    }

    @Test
    void everyPackageOfEveryModuleSaysWhatItIsFor() throws IOException {
        List<Path> sourceRoots = sourceRoots();
        assertThat(sourceRoots.stream().map(root -> root.getName(1).toString()))
                .contains("dpo-api", "dpo-core", "dpo-adapters", "dpo-cli", "dpo-examples", "bench");
        List<Path> undocumented = new ArrayList<>();
        for (Path root : sourceRoots) {
            try (Stream<Path> walk = Files.walk(root)) {
                walk.filter(Files::isDirectory).filter(ArchitectureTest::holdsJava)
                        .filter(dir -> !Files.exists(dir.resolve("package-info.java"))).forEach(undocumented::add);
            }
        }
        assertThat(undocumented).as("packages without package-info.java").isEmpty();
    }

    /** {@code ../<module>/src/main/java} of every module beside this one, this one included. */
    private static List<Path> sourceRoots() throws IOException {
        try (Stream<Path> modules = Files.list(MODULES)) {
            return modules.map(module -> module.resolve("src/main/java")).filter(Files::isDirectory).sorted()
                    .toList();
        }
    }

    private static boolean holdsJava(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.anyMatch(f -> f.toString().endsWith(".java") && !f.endsWith("package-info.java"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
