package dev.dpo4j.api.train;

import java.nio.file.Path;

/**
 * Receives a training run's events: start, every optimizer step, logged and evaluation metrics, checkpoints
 * and the end. Every method has an empty default, so a listener implements only what it needs. Methods are
 * called on the training thread; a slow listener slows training.
 */
public interface TrainingListener {

    /** Before the first step. */
    default void onTrainingStart(TrainingPlan plan) {
    }

    /** After every optimizer step ({@code step} counts from 1 to {@code totalSteps}). */
    default void onStep(long step, long totalSteps) {
    }

    /** Every {@code logging_steps} steps, with the interval's averaged training metrics. */
    default void onLog(DpoMetrics metrics) {
    }

    /** After each evaluation on the eval set. */
    default void onEvaluation(DpoMetrics metrics) {
    }

    /** After a checkpoint has been written completely to {@code dir}. */
    default void onCheckpoint(Path dir, long step) {
    }

    /** After the last step, or after a cancel request was honoured. */
    default void onTrainingEnd(TrainingSummary summary) {
    }
}
