/**
 * The ranks of a data-parallel run and the collectives among them: {@code Collectives} (all-reduce, reduce-scatter,
 * all-gather, broadcast, barrier on arrays in place), {@code RankEnvironment} (who this rank is, read from
 * torchrun's variables) and the {@code CollectivesProvider} service that a collective library (Gloo on the CPU,
 * NCCL on GPUs, in module {@code dpo-collectives}) registers. The sharded optimizer placement and the trainer talk to
 * the other ranks only through here.
 */
package dev.dpo4j.core.distributed;
