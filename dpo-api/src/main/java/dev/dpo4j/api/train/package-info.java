/**
 * What a training run tells the outside: the listener of its events ({@code TrainingListener}), what it is about to
 * do ({@code TrainingPlan}), the metrics of a logging interval or an evaluation under TRL's names
 * ({@code DpoMetrics}) and how it ended ({@code TrainingSummary}).
 */
package dev.dpo4j.api.train;
