package dev.dpo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.dpo4j.cli.embedded.EmbeddedModel;
import dev.dpo4j.core.checkpoint.Safetensors;
import java.nio.file.Path;
import java.util.Map;

/** Whether a run of the command trained at all: its saved weights or adapters moved from where they started. */
final class TrainedOutputs {

    private TrainedOutputs() {
    }

    /** The weights in {@code out} differ from the embedded model's (seed 42), which is written into {@code start}. */
    static void assertTrainedFromTheEmbeddedModel(Path start, Path out) {
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> before = Safetensors.read(EmbeddedModel.write(start, EmbeddedModel.DEFAULT_SEED)
                    .resolve("model.safetensors"), manager, DataType.FLOAT32);
            Map<String, NDArray> after = Safetensors.read(out.resolve("model.safetensors"), manager,
                    DataType.FLOAT32);
            assertThat(after.keySet()).isEqualTo(before.keySet());
            float largest = 0;
            for (Map.Entry<String, NDArray> entry : before.entrySet()) {
                largest = Math.max(largest, entry.getValue().sub(after.get(entry.getKey())).abs().max().getFloat());
            }
            assertThat(largest).as("largest change of a weight in %s from the embedded model", out).isPositive();
        }
    }

    /** Every {@code lora_B} of the adapter in {@code out} left zero, where a fresh adapter starts. */
    static void assertAdaptersTrained(Path out) {
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> tensors = Safetensors.read(out.resolve("adapter_model.safetensors"), manager,
                    DataType.FLOAT32);
            assertThat(tensors.keySet()).anyMatch(name -> name.contains("lora_B"));
            tensors.forEach((name, tensor) -> {
                if (name.contains("lora_B")) {
                    assertThat(tensor.abs().max().getFloat()).as("largest |%s| in %s", name, out).isPositive();
                }
            });
        }
    }
}
