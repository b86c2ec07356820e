/**
 * The collective libraries behind dpo-core's {@code Collectives}: {@code GlooProvider} (Gloo over TCP, host arrays),
 * registered as a {@code CollectivesProvider} service, and {@code LoopbackRanks} for groups on one host.
 */
package dev.dpo4j.collectives;
