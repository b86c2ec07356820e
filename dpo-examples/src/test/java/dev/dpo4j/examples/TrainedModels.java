package dev.dpo4j.examples;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.dpo4j.cli.embedded.EmbeddedModel;
import dev.dpo4j.core.checkpoint.Safetensors;
import java.nio.file.Path;
import java.util.Map;

/** Whether a run trained at all: its saved weights differ from the model it started from. */
public final class TrainedModels {

    private TrainedModels() {
    }

    /** The weights in output folder {@code out} moved away from those in model folder {@code start}. */
    public static void assertTrained(Path start, Path out) {
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> before = Safetensors.read(start.resolve("model.safetensors"), manager,
                    DataType.FLOAT32);
            Map<String, NDArray> after = Safetensors.read(out.resolve("model.safetensors"), manager,
                    DataType.FLOAT32);
            assertThat(after.keySet()).isEqualTo(before.keySet());
            float largest = 0;
            for (Map.Entry<String, NDArray> entry : before.entrySet()) {
                largest = Math.max(largest, entry.getValue().sub(after.get(entry.getKey())).abs().max().getFloat());
            }
            assertThat(largest).as("largest change of a weight in %s from %s", out, start).isPositive();
        }
    }

    /** {@link #assertTrained} against the embedded model the examples start from, written into {@code folder}. */
    public static void assertTrainedFromTheEmbeddedModel(Path folder, Path out) {
        assertTrained(EmbeddedModel.write(folder, EmbeddedModel.DEFAULT_SEED), out);
    }
}
