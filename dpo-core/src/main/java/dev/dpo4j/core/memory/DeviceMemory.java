package dev.dpo4j.core.memory;

import ai.djl.Device;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.util.cuda.CudaUtils;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * What the devices have left: free GPU memory as CUDA reports it once the caching allocator has handed back the blocks
 * it holds unused (the reference pass's temporaries, say), which would otherwise count as used; and the host memory
 * available to the optimizer state when it lives there ({@code offload_optimizer}).
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
     * The system property that plans for a host with at most this many GiB available (a decimal number): what the
     * memory check refuses for the optimizer state in host memory then follows as on a smaller or busier host.
     */
    public static final String HOST_LIMIT_PROPERTY = "dpo4j.host_memory_limit_gib";

    /** Linux's estimate of the memory that new allocations can take without swapping, page cache included. */
    private static final Path MEMINFO = Path.of("/proc/meminfo");

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
        return limit(LIMIT_PROPERTY);
    }

    /** The limit {@code property} sets, in bytes ({@link Long#MAX_VALUE} without one). */
    private static long limit(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            return Long.MAX_VALUE;
        }
        try {
            return (long) (Double.parseDouble(value.strip()) * (1L << 30));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(property + " must be a number of GiB, got '" + value + "'", e);
        }
    }

    /**
     * Bytes of host memory available: {@code MemAvailable} of {@code /proc/meminfo} where there is one (Linux), else
     * the free physical memory the JVM reports; with {@link #HOST_LIMIT_PROPERTY}, at most that much.
     */
    public static long hostAvailable() {
        long available = memAvailable(MEMINFO);
        if (available < 0) {
            available = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                    .getFreeMemorySize();
        }
        return Math.min(available, limit(HOST_LIMIT_PROPERTY));
    }

    /** The {@code MemAvailable} line of a {@code /proc/meminfo} at {@code file}, in bytes, or -1 without one. */
    static long memAvailable(Path file) {
        if (!Files.isReadable(file)) {
            return -1;
        }
        try (Stream<String> lines = Files.lines(file)) {
            return lines.filter(line -> line.startsWith("MemAvailable:")).findFirst()
                    .map(DeviceMemory::kibibytes).orElse(-1L);
        } catch (IOException | UncheckedIOException e) {
            return -1;
        }
    }

    /** The bytes of a {@code /proc/meminfo} line such as {@code MemAvailable:   123456 kB}, or -1 if unreadable. */
    private static long kibibytes(String line) {
        String[] fields = line.substring(line.indexOf(':') + 1).strip().split("\\s+");
        try {
            return Long.parseLong(fields[0]) * (fields.length > 1 && fields[1].equalsIgnoreCase("kB") ? 1024 : 1);
        } catch (NumberFormatException e) {
            return -1;
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
