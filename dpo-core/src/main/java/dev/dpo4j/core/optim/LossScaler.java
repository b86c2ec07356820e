package dev.dpo4j.core.optim;

/**
 * Dynamic loss scaling for float16 training, as {@code torch.amp.GradScaler}: the loss is multiplied by the scale
 * before backward so small gradients survive float16; a step whose gradients overflow is skipped and the scale
 * halved; after {@code growthInterval} clean steps in a row the scale doubles. In float32 the scale stays 1.
 */
public final class LossScaler {

    private static final double BACKOFF = 0.5;
    private static final double GROWTH = 2.0;

    private final boolean enabled;
    private final int growthInterval;
    private double scale;
    private int cleanSteps;

    /** A scaler starting at {@code 2^16}, or a fixed scale of 1 when disabled. */
    public LossScaler(boolean enabled, int growthInterval) {
        this.enabled = enabled;
        this.growthInterval = growthInterval;
        this.scale = enabled ? 65536.0 : 1.0;
    }

    /** The factor the loss is multiplied by before backward. */
    public double scale() {
        return scale;
    }

    /** Records whether the step's gradients were finite and adapts the scale. */
    public void update(boolean finite) {
        if (!enabled) {
            return;
        }
        if (!finite) {
            scale *= BACKOFF;
            cleanSteps = 0;
        } else if (++cleanSteps == growthInterval) {
            scale *= GROWTH;
            cleanSteps = 0;
        }
    }
}
