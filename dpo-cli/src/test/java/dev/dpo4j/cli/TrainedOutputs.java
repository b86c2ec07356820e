package dev.dpo4j.cli;

import dev.dpo4j.cli.embedded.EmbeddedModel;
import dev.dpo4j.testing.TrainedWeights;
import java.nio.file.Path;

/** Whether a run of the command trained at all, from the embedded model it starts from. */
final class TrainedOutputs {

    private TrainedOutputs() {
    }

    /** {@link TrainedWeights#assertTrained} against the embedded model (seed 42), written into {@code start}. */
    static void assertTrainedFromTheEmbeddedModel(Path start, Path out) {
        TrainedWeights.assertTrained(EmbeddedModel.write(start, EmbeddedModel.DEFAULT_SEED), out);
    }
}
