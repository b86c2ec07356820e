/**
 * The optimizer: AdamW over flat parameter buffers ({@code AdamW}), what a checkpoint keeps of it
 * ({@code OptimizerState}), float16's dynamic loss scale ({@code LossScaler}) and the learning-rate schedule
 * ({@code LearningRateSchedule}).
 */
package dev.dpo4j.core.optim;
