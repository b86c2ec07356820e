package dev.dpo4j.core.memory;

/** A run refused before it starts: its memory estimate exceeds what its devices have free. */
public final class InsufficientMemoryException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final transient MemoryEstimate estimate;
    private final long free;

    /** A refusal of {@code estimate} on devices with {@code free} bytes free; {@code remedy} says what would fit. */
    public InsufficientMemoryException(MemoryEstimate estimate, long free, String remedy) {
        super("the run does not fit in GPU memory: it needs an estimated " + MemoryEstimate.size(estimate.total())
                + " per device but the device with the least has " + MemoryEstimate.size(free) + " free ("
                + estimate.summary() + "). " + remedy);
        this.estimate = estimate;
        this.free = free;
    }

    /** The estimate that did not fit. */
    public MemoryEstimate estimate() {
        return estimate;
    }

    /** The free bytes of the device with the least. */
    public long free() {
        return free;
    }
}
