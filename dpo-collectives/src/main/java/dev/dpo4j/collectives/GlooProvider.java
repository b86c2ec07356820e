package dev.dpo4j.collectives;

import ai.djl.Device;
import dev.dpo4j.collectives.internal.GlooCollectives;
import dev.dpo4j.collectives.internal.GlooLibrary;
import dev.dpo4j.core.distributed.Collectives;
import dev.dpo4j.core.distributed.CollectivesException;
import dev.dpo4j.core.distributed.CollectivesProvider;
import dev.dpo4j.core.distributed.RankEnvironment;
import java.time.Duration;

/** Gloo over TCP for arrays in host memory: the collectives of CPU ranks, one process or one thread each. */
public final class GlooProvider implements CollectivesProvider {

    @Override
    public String name() {
        return "gloo";
    }

    /** Host arrays, where the Gloo shim loads. */
    @Override
    public boolean supports(Device device) {
        return !device.isGpu() && GlooLibrary.failure().isEmpty();
    }

    /** Why Gloo cannot run here (the shim or Gloo's library is missing), or null when it can. */
    public static String unavailableReason() {
        return GlooLibrary.failure().orElse(null);
    }

    @Override
    public Collectives connect(RankEnvironment environment, Device device, Duration timeout) {
        if (device.isGpu()) {
            throw new CollectivesException("Gloo moves host arrays, not those on " + device + ": use nccl");
        }
        return GlooCollectives.connect(environment, timeout);
    }
}
