package dev.dpo4j.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package rules of dpo-core, which the design section of the README describes. That every package has a
 * package-info is checked for all modules at once by dpo-examples' {@code ArchitectureTest}.
 */
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

    /**
     * The layers, bottom to top: each may use the ones below it, never one above. The kernels; the model's
     * architecture, tokens, batches and the optimizer; the building blocks (the scoring pass, memory estimates,
     * references, checkpoints, where optimizer state lives, losses, metrics); what is trained; the step machinery
     * ({@code internal}); the trainer.
     */
    @Test
    void layersPointOneWay() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("Kernels").definedBy("dev.dpo4j.core.kernels..")
                .layer("Foundations").definedBy("dev.dpo4j.core.model..", "dev.dpo4j.core.tokenizer..",
                        "dev.dpo4j.core.data..", "dev.dpo4j.core.optim..", "dev.dpo4j.core.distributed..")
                .layer("Blocks").definedBy("dev.dpo4j.core.scoring..", "dev.dpo4j.core.memory..",
                        "dev.dpo4j.core.reference..", "dev.dpo4j.core.checkpoint..", "dev.dpo4j.core.placement..",
                        "dev.dpo4j.core.loss..", "dev.dpo4j.core.metrics..", "dev.dpo4j.core.tiny..")
                .layer("Trained").definedBy("dev.dpo4j.core.trained..", "dev.dpo4j.core.lora..")
                .layer("Step").definedBy("dev.dpo4j.core.internal..")
                .layer("Trainer").definedBy("dev.dpo4j.core.train..")
                .whereLayer("Trainer").mayNotBeAccessedByAnyLayer()
                .whereLayer("Step").mayOnlyBeAccessedByLayers("Trainer")
                .whereLayer("Trained").mayOnlyBeAccessedByLayers("Step", "Trainer")
                .whereLayer("Blocks").mayOnlyBeAccessedByLayers("Trained", "Step", "Trainer")
                .whereLayer("Foundations").mayOnlyBeAccessedByLayers("Blocks", "Trained", "Step", "Trainer")
                .check(core);
    }

    @Test
    void everyPackageIsInALayer() {
        classes().should().resideInAnyPackage("dev.dpo4j.core.kernels..", "dev.dpo4j.core.model..",
                "dev.dpo4j.core.tokenizer..", "dev.dpo4j.core.data..", "dev.dpo4j.core.optim..",
                "dev.dpo4j.core.distributed..",
                "dev.dpo4j.core.scoring..", "dev.dpo4j.core.memory..", "dev.dpo4j.core.reference..",
                "dev.dpo4j.core.checkpoint..", "dev.dpo4j.core.placement..", "dev.dpo4j.core.loss..",
                "dev.dpo4j.core.metrics..", "dev.dpo4j.core.tiny..", "dev.dpo4j.core.trained..",
                "dev.dpo4j.core.lora..", "dev.dpo4j.core.internal..", "dev.dpo4j.core.train..").check(core);
    }

    @Test
    void internalsServeOnlyTheTrainerAndEachOther() {
        classes().that().resideInAPackage("dev.dpo4j.core.internal..").should().onlyBeAccessed()
                .byClassesThat().resideInAnyPackage("dev.dpo4j.core.internal..", "dev.dpo4j.core.train..")
                .check(core);
    }

    @Test
    void theTokenizerKnowsNothingOfTheModel() {
        noClasses().that().resideInAPackage("dev.dpo4j.core.tokenizer..").should().dependOnClassesThat()
                .resideInAPackage("dev.dpo4j.core.model..").check(core);
    }

    @Test
    void wherePlacementKeepsStateKnowsNothingOfWhatIsTrained() {
        noClasses().that().resideInAnyPackage("dev.dpo4j.core.placement..", "dev.dpo4j.core.internal.placement..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.dpo4j.core.trained..",
                        "dev.dpo4j.core.lora..", "dev.dpo4j.core.reference..")
                .check(core);
    }

    @Test
    void whatIsTrainedMeetsThePlacementOnlyThroughItsSeam() {
        noClasses().that().resideInAnyPackage("dev.dpo4j.core.trained..", "dev.dpo4j.core.lora..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.dpo4j.core.optim..")
                .check(core);
    }

    @Test
    void theBuildingBlocksNeverReachUpToTheTrainer() {
        noClasses().that().resideOutsideOfPackage("dev.dpo4j.core.train..").should().dependOnClassesThat()
                .resideInAPackage("dev.dpo4j.core.train..").check(core);
    }

    @Test
    void theScoringPassStandsBelowTheTrainer() {
        noClasses().that().resideInAPackage("dev.dpo4j.core.scoring..").should().dependOnClassesThat()
                .resideInAnyPackage("dev.dpo4j.core.internal..", "dev.dpo4j.core.train..", "dev.dpo4j.core.lora..",
                        "dev.dpo4j.core.checkpoint..", "dev.dpo4j.core.optim..")
                .check(core);
    }

    @Test
    void theModelBuildsNoMasksAndMemoryKnowsNoScoring() {
        noClasses().that().resideInAPackage("dev.dpo4j.core.model..").should().dependOnClassesThat()
                .resideInAPackage("dev.dpo4j.core.scoring..").check(core);
        noClasses().that().resideInAPackage("dev.dpo4j.core.memory..").should().dependOnClassesThat()
                .resideInAPackage("dev.dpo4j.core.scoring..").check(core);
    }

    @Test
    void packagesFormNoCycles() {
        slices().matching("dev.dpo4j.core.(**)").should().beFreeOfCycles().check(core);
    }
}
