package dev.dpo4j.core.memory;

/**
 * A run refused before it starts: its memory estimate exceeds what its devices have free, or its optimizer state in
 * host memory ({@code offload_optimizer}) exceeds what the host has available.
 */
public final class InsufficientMemoryException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final transient MemoryEstimate estimate;
    private final long free;
    private final boolean hostMemory;

    /** A refusal of {@code estimate} on devices with {@code free} bytes free; {@code remedy} says what would fit. */
    public InsufficientMemoryException(MemoryEstimate estimate, long free, String remedy) {
        this("the run does not fit in GPU memory: it needs an estimated " + MemoryEstimate.size(estimate.total())
                + " per device but the device with the least has " + MemoryEstimate.size(free) + " free ("
                + estimate.summary() + "). " + remedy, estimate, free, false);
    }

    private InsufficientMemoryException(String message, MemoryEstimate estimate, long free, boolean hostMemory) {
        super(message);
        this.estimate = estimate;
        this.free = free;
        this.hostMemory = hostMemory;
    }

    /**
     * A refusal of {@code estimate}, whose optimizer state in host memory ({@link MemoryEstimate#host}) exceeds the
     * {@code available} bytes of the host; {@code remedy} says what would fit.
     */
    public static InsufficientMemoryException ofHost(MemoryEstimate estimate, long available, String remedy) {
        return new InsufficientMemoryException("the optimizer state does not fit in host memory: offload_optimizer "
                + "keeps an estimated " + MemoryEstimate.size(estimate.host().total()) + " there (float32 masters, "
                + "gradient accumulators and AdamW moments, 16 B a trained parameter, and one transfer's buffers) but "
                + "the host has " + MemoryEstimate.size(available) + " available (" + estimate.summary() + "). "
                + remedy, estimate, available, true);
    }

    /** The estimate that did not fit. */
    public MemoryEstimate estimate() {
        return estimate;
    }

    /** The free bytes of the device with the least, or the host's available bytes when {@link #hostMemory}. */
    public long free() {
        return free;
    }

    /** Whether the host memory was short (the optimizer state there), not a device's. */
    public boolean hostMemory() {
        return hostMemory;
    }
}
