package dev.dpo4j.core.train;

import ai.djl.ndarray.NDArray;
import dev.dpo4j.core.checkpoint.ModelFolder;
import dev.dpo4j.core.checkpoint.TrainerState;
import dev.dpo4j.core.checkpoint.TrainingCheckpoint;
import dev.dpo4j.core.model.CausalLm;
import dev.dpo4j.core.optim.AdamW;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

/** A run's output folder: checked before training, then checkpoints and the final model written into it. */
final class RunOutput {

    private final DpoConfig config;
    private final Path tokenizerFiles;

    /** @param tokenizerFiles the folder whose tokenizer files travel with saved models (may be null) */
    RunOutput(DpoConfig config, Path tokenizerFiles) {
        this.config = config;
        this.tokenizerFiles = tokenizerFiles;
    }

    /** Refuses a non-empty output folder unless overwriting or resuming. */
    void checkOutputDir() {
        Path out = config.outputDir();
        if (config.overwriteOutputDir() || config.resumeFromCheckpoint() != null || !Files.isDirectory(out)) {
            return;
        }
        try (Stream<Path> children = Files.list(out)) {
            if (children.findAny().isPresent()) {
                throw new IllegalArgumentException("output_dir " + out + " exists and is not empty; choose "
                        + "another, set overwrite_output_dir, or resume_from_checkpoint");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("output_dir " + out + ": cannot list: " + e.getMessage(), e);
        }
    }

    /**
     * Writes a checkpoint of the policy, the optimizer and the state, with the reference's weights when it moves.
     *
     * @return the checkpoint folder
     */
    Path saveCheckpoint(CausalLm policy, AdamW adamW, TrainerState state, Map<String, NDArray> movingReference) {
        try {
            return TrainingCheckpoint.save(config.outputDir(), policy, adamW, state, tokenizerFiles,
                    movingReference);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint into " + config.outputDir() + ": "
                    + e.getMessage(), e);
        }
    }

    /** Saves the trained policy as a Hugging Face folder in the output folder, in {@code save_dtype}. */
    Path saveModel(CausalLm policy) {
        try {
            ModelFolder.save(policy, config.outputDir(), tokenizerFiles, config.saving().saveDtype());
            return config.outputDir();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the model into " + config.outputDir() + ": "
                    + e.getMessage(), e);
        }
    }
}
