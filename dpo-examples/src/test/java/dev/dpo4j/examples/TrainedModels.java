package dev.dpo4j.examples;

import dev.dpo4j.cli.embedded.EmbeddedModel;
import dev.dpo4j.testing.TrainedWeights;
import java.nio.file.Path;

/** Whether an example's run trained at all, from the embedded model it starts from. */
public final class TrainedModels {

    private TrainedModels() {
    }

    /** {@link TrainedWeights#assertTrained} against the embedded model, written into {@code folder}. */
    public static void assertTrainedFromTheEmbeddedModel(Path folder, Path out) {
        TrainedWeights.assertTrained(EmbeddedModel.write(folder, EmbeddedModel.DEFAULT_SEED), out);
    }
}
