/**
 * What a run reports: TRL's metrics averaged over logging intervals ({@code MetricsAccumulator}), the
 * {@code metrics.jsonl} file and the console progress bar, both training listeners.
 */
package dev.dpo4j.core.metrics;
