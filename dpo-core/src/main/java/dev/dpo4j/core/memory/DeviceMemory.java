package dev.dpo4j.core.memory;

import ai.djl.Device;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.util.cuda.CudaUtils;
import java.lang.management.MemoryUsage;
import java.util.List;

/**
 * What the devices have left: free GPU memory as CUDA reports it once the caching allocator has handed back the blocks
 * it holds unused (the reference pass's temporaries, say), which would otherwise count as used.
 */
public final class DeviceMemory {

    /** The share of free memory that activations may take; the rest is for temporaries (head chunks, casts). */
    public static final double ACTIVATION_SHARE = 0.85;

    private DeviceMemory() {
    }

    /**
     * The system property that plans for GPUs of at most this many GiB each (a decimal number): what {@code auto}
     * recomputes and what the memory check refuses then follow as on a smaller GPU, as when it is shared. It limits
     * these decisions, not the allocator.
     */
    public static final String LIMIT_PROPERTY = "dpo4j.gpu_memory_limit_gib";

    /**
     * Free bytes of the device with the least, or {@link Long#MAX_VALUE} when none is a GPU (host memory); with
     * {@link #LIMIT_PROPERTY}, of a device that holds at most that much.
     */
    public static long free(List<Device> devices) {
        if (devices.stream().anyMatch(Device::isGpu)) {
            JniUtils.emptyCudaCache();
        }
        long least = Long.MAX_VALUE;
        for (Device device : devices) {
            if (device.isGpu()) {
                MemoryUsage usage = CudaUtils.getGpuMemory(device);
                least = Math.min(least, Math.min(usage.getMax(), limit()) - usage.getUsed());
            }
        }
        return least;
    }

    /** The limit {@link #LIMIT_PROPERTY} sets, in bytes ({@link Long#MAX_VALUE} without one). */
    static long limit() {
        String value = System.getProperty(LIMIT_PROPERTY);
        if (value == null || value.isBlank()) {
            return Long.MAX_VALUE;
        }
        try {
            return (long) (Double.parseDouble(value.strip()) * (1L << 30));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(LIMIT_PROPERTY + " must be a number of GiB, got '" + value + "'", e);
        }
    }

    /**
     * The activation bytes a micro-batch may keep on {@code devices}: {@link #ACTIVATION_SHARE} of the free memory
     * once {@code pending} more bytes are allocated (gradients the first backward creates).
     */
    public static long activationBudget(List<Device> devices, long pending) {
        long free = free(devices);
        return activationBudget(free == Long.MAX_VALUE ? free : free - pending);
    }

    /** The activation bytes a micro-batch may keep when {@code free} bytes are free: {@link #ACTIVATION_SHARE}. */
    public static long activationBudget(long free) {
        return free == Long.MAX_VALUE ? free : (long) (Math.max(0, free) * ACTIVATION_SHARE);
    }
}
