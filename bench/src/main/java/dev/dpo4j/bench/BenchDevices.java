package dev.dpo4j.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.util.cuda.CudaUtils;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;

/** The devices a benchmark runs on ({@code --device}, {@code --devices}) and DJL's reading of their used memory. */
final class BenchDevices {

    private BenchDevices() {
    }

    /** A device by name: {@code default} (the engine's), {@code cpu}, {@code gpu}, or a DJL name ({@code gpu1}). */
    static Device device(String name) {
        return switch (name) {
            case "default" -> Engine.getInstance().defaultDevice();
            case "cpu" -> Device.cpu();
            case "gpu" -> Device.gpu();
            default -> Device.fromName(name);
        };
    }

    /** DJL's view of used device memory (cudaMemGetInfo: the whole card), in GiB, or NaN. */
    static double djlUsedGib(Device device) {
        if (!device.isGpu()) {
            return Double.NaN;
        }
        try {
            MemoryUsage usage = CudaUtils.getGpuMemory(device);
            return usage.getUsed() / (double) (1L << 30);
        } catch (Throwable e) {
            return Double.NaN;
        }
    }

    /** The devices of {@code --devices} (comma-separated DJL names), or {@code --device} alone. */
    static List<Device> devices(BenchOptions o) {
        if (o.devices == null) {
            return List.of(device(o.device));
        }
        List<Device> devices = new ArrayList<>();
        for (String name : o.devices.split(",")) {
            devices.add(device(name.strip()));
        }
        return devices;
    }
}
