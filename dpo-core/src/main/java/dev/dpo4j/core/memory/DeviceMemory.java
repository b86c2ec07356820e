package dev.dpo4j.core.memory;

import ai.djl.Device;
import ai.djl.util.cuda.CudaUtils;
import java.lang.management.MemoryUsage;
import java.util.List;

/** What the devices have left: free GPU memory as CUDA reports it (the caching allocator's reserve counts as used). */
public final class DeviceMemory {

    /** The share of free memory that activations may take; the rest is for temporaries (head chunks, casts). */
    public static final double ACTIVATION_SHARE = 0.85;

    private DeviceMemory() {
    }

    /** Free bytes of the device with the least, or {@link Long#MAX_VALUE} when none is a GPU (host memory). */
    public static long free(List<Device> devices) {
        long least = Long.MAX_VALUE;
        for (Device device : devices) {
            if (device.isGpu()) {
                MemoryUsage usage = CudaUtils.getGpuMemory(device);
                least = Math.min(least, usage.getMax() - usage.getUsed());
            }
        }
        return least;
    }

    /** The activation bytes a micro-batch may keep on {@code devices}: {@link #ACTIVATION_SHARE} of the free memory. */
    public static long activationBudget(List<Device> devices) {
        return activationBudget(free(devices));
    }

    /** The activation bytes a micro-batch may keep when {@code free} bytes are free: {@link #ACTIVATION_SHARE}. */
    public static long activationBudget(long free) {
        return free == Long.MAX_VALUE ? free : (long) (Math.max(0, free) * ACTIVATION_SHARE);
    }
}
