package dev.dpo4j.core.internal.step;

import dev.dpo4j.core.data.PairBatch;
import dev.dpo4j.core.memory.Activations;
import java.util.function.LongSupplier;

/**
 * Which training micro-batches recompute their layers in backward ({@code gradient_checkpointing}): all, none, or,
 * by default, those whose plain backward would keep more activations than the budget allows, so short micro-batches
 * skip the recompute and long ones still fit. The budget is read once, at the first micro-batch, when the weights,
 * copies, references and optimizer state already hold their memory.
 */
public final class Checkpointing {

    private final Boolean mode;
    private final Activations activations;
    private final LongSupplier budget;
    private long budgetBytes = -1;

    private Checkpointing(Boolean mode, Activations activations, LongSupplier budget) {
        this.mode = mode;
        this.activations = activations;
        this.budget = budget;
    }

    /** Every micro-batch ({@code true}) or none ({@code false}). */
    public static Checkpointing always(boolean recompute) {
        return new Checkpointing(recompute, null, null);
    }

    /**
     * As the option says: {@code mode} true or false, or null for {@code auto}, where {@code budget} gives the
     * activation bytes a micro-batch may keep.
     */
    public static Checkpointing of(Boolean mode, Activations activations, LongSupplier budget) {
        return mode != null ? always(mode) : new Checkpointing(null, activations, budget);
    }

    /** Whether {@code batch} recomputes its layers in backward. */
    public boolean recompute(PairBatch batch) {
        if (mode != null) {
            return mode;
        }
        long rowTokens = (long) batch.rows() * batch.length();
        return activations.plain(rowTokens, batch.targets().length) > budgetBytes();
    }

    /** The activation budget of {@code auto}, read at the first call. */
    public synchronized long budgetBytes() {
        if (budgetBytes < 0) {
            budgetBytes = budget.getAsLong();
        }
        return budgetBytes;
    }

    /** Whether the budget decides ({@code auto}). */
    public boolean automatic() {
        return mode == null;
    }
}
