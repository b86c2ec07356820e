package dev.dpo4j.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dpo4j.api.train.TrainingListener;
import dev.dpo4j.api.train.TrainingPlan;
import dev.dpo4j.hub.HubClient;
import dev.dpo4j.hub.HubException;
import dev.dpo4j.hub.HubOptions;
import dev.dpo4j.testing.TinyModels;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A builder builds independent, immutable trainers, and touches no network doing so. */
class DpoTrainerBuilderTest extends TinyModelTraining {

    @Test
    void aBuilderBuildsIndependentTrainers() {
        DpoTrainer.Builder builder = trainer(tmp.resolve("out")).maxSteps(1);
        DpoTrainer sigmoid = builder.lossType("sigmoid").build();
        DpoTrainer ipo = builder.lossType("ipo").build();

        assertThat(ipo.config().loss().lossType()).isEqualTo("ipo");
        assertThat(ipo.loss().name()).isEqualTo("ipo");
        assertThat(sigmoid.config().loss().lossType()).isEqualTo("sigmoid");
        assertThat(sigmoid.loss().name()).isEqualTo("sigmoid");
    }

    @Test
    void changingTheBuilderLaterChangesNoTrainerBuiltBefore() {
        List<String> heard = new ArrayList<>();
        DpoTrainer.Builder builder = trainer(tmp.resolve("first")).maxSteps(1)
                .listener(onStart(plan -> heard.add("first")));
        DpoTrainer first = builder.build();
        builder.outputDir(tmp.resolve("second")).beta(0.5).listener(onStart(plan -> heard.add("second")));

        first.train();

        assertThat(heard).containsExactly("first");
        assertThat(first.config().loss().options().beta()).isEqualTo(0.1);
        assertThat(tmp.resolve("first/model.safetensors")).exists();
        assertThat(tmp.resolve("second")).doesNotExist();
    }

    @Test
    void hubIdsAreResolvedWhenTrainingStartsNotAtBuild() {
        // offline, with an empty cache: any resolution fails, so build() succeeding proves it asked nothing
        HubClient offline = HubClient.of(new HubOptions(URI.create("http://127.0.0.1:9"), tmp.resolve("cache"), null,
                true));
        DpoTrainer trainer = DpoTrainer.builder().modelNameOrPath("someone/missing-model", null, offline)
                .trainData(TinyModels.arithmetic(2)).outputDir(tmp.resolve("out")).progressBar(false)
                .build();

        assertThatThrownBy(trainer::resolve).isInstanceOf(HubException.class)
                .hasMessageContaining("someone/missing-model");
        assertThatThrownBy(trainer::train).isInstanceOf(HubException.class)
                .hasMessageContaining("someone/missing-model");
    }

    @Test
    void resolveKeepsALocalFolder() {
        DpoTrainer trainer = DpoTrainer.builder().modelNameOrPath(modelDir.toString(), null,
                HubClient.of(new HubOptions(URI.create("http://127.0.0.1:9"), tmp.resolve("cache"), null, true)))
                .trainData(TinyModels.arithmetic(2)).outputDir(tmp.resolve("out")).progressBar(false)
                .maxSteps(1).build();

        assertThat(trainer.resolve().train().steps()).isEqualTo(1);
    }

    private static TrainingListener onStart(java.util.function.Consumer<TrainingPlan> action) {
        return new TrainingListener() {
            @Override
            public void onTrainingStart(TrainingPlan plan) {
                action.accept(plan);
            }
        };
    }
}
