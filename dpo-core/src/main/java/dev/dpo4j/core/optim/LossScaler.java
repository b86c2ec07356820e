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

    /**
     * What a checkpoint keeps of the scaler, so that a resumed float16 run scales and skips as the uninterrupted one.
     *
     * @param scale the current scale
     * @param cleanSteps finite steps in a row since the scale last changed
     */
    public record State(double scale, int cleanSteps) {
    }

    /** The scale and its count of clean steps, for a checkpoint. */
    public State state() {
        return new State(scale, cleanSteps);
    }

    /**
     * Continues from a checkpoint's {@code state}; a disabled scaler stays at 1.
     *
     * @throws IllegalArgumentException when the scale is not a positive finite number or the count is negative
     */
    public void restore(State state) {
        if (!(state.scale() > 0 && Double.isFinite(state.scale())) || state.cleanSteps() < 0) {
            throw new IllegalArgumentException("loss scale " + state.scale() + " after " + state.cleanSteps()
                    + " clean steps is no state a loss scaler reaches");
        }
        if (enabled) {
            scale = state.scale();
            cleanSteps = state.cleanSteps() % growthInterval;
        }
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
