/**
 * What a run reports: TRL's metrics averaged over logging intervals ({@code MetricsAccumulator}), the
 * {@code metrics.jsonl} file and the console progress (a bar fitted to a terminal, plain lines in a log), both
 * training listeners.
 */
package dev.dpo4j.core.metrics;
