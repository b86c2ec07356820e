package dev.dpo4j.core.distributed;

import ai.djl.Device;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/** Finds the {@link CollectivesProvider} for a device among those that {@link ServiceLoader} finds. */
final class Providers {

    private Providers() {
    }

    static CollectivesProvider forDevice(Device device) {
        return forDevice(device, ServiceLoader.load(CollectivesProvider.class));
    }

    /** The first of {@code found} that supports {@code device}. */
    static CollectivesProvider forDevice(Device device, Iterable<CollectivesProvider> found) {
        List<String> seen = new ArrayList<>();
        for (CollectivesProvider provider : found) {
            if (provider.supports(device)) {
                return provider;
            }
            seen.add(provider.name() + " (" + reach(provider) + ")");
        }
        throw new CollectivesException("no collective library for " + device + ": found "
                + (seen.isEmpty() ? "none" : String.join(", ", seen))
                + "; add dev.dpo4j:dpo-collectives to the class path (Gloo for cpu, NCCL for gpu)");
    }

    /** What a provider that refused a device does support here, among the host and the first GPU. */
    private static String reach(CollectivesProvider provider) {
        boolean cpu = provider.supports(Device.cpu());
        boolean gpu = provider.supports(Device.gpu(0));
        if (cpu && gpu) {
            return "cpu and gpu";
        }
        if (cpu || gpu) {
            return (cpu ? "cpu" : "gpu") + " only";
        }
        return "no device here: its native library did not load";
    }
}
