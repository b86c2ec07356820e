/**
 * The optimizer: AdamW over flat parameter buffers ({@code AdamW}) and the learning-rate schedule
 * ({@code LearningRateSchedule}).
 */
package dev.dpo4j.core.optim;
