/**
 * Measurements run by hand, on a GPU or the CPU, not by the test suite (see bench/README.md and BENCHMARKS.md): the
 * parity check against Hugging Face transformers ({@code ParityCheck}), the DPO step benchmark
 * ({@code StepBenchmark}), a phase profile of one step ({@code PhaseProfile}), data parallelism checked against one
 * device ({@code MultiDeviceCheck}) and the cost of a second device ({@code ReplicationCost}).
 */
package dev.dpo4j.bench;
