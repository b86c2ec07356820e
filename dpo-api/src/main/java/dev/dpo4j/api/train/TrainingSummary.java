package dev.dpo4j.api.train;

import java.nio.file.Path;

/**
 * How a training run ended, sent to listeners and returned by the trainer.
 *
 * @param steps optimizer steps completed
 * @param cancelled whether the run was stopped early by a cancel request
 * @param seconds wall-clock training time
 * @param lastTrain metrics of the last training logging interval, or null when none was logged
 * @param lastEval metrics of the last evaluation, or null when none ran
 * @param outputDir the folder holding the trained model, or null when nothing was saved
 */
public record TrainingSummary(long steps, boolean cancelled, double seconds, DpoMetrics lastTrain,
        DpoMetrics lastEval, Path outputDir) {
}
