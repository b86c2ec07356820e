package dev.dpo4j.core.internal.step;

import dev.dpo4j.core.data.PairBatch;
import dev.dpo4j.core.memory.Activations;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How many decoder layers of a training micro-batch recompute in backward ({@code gradient_checkpointing}): all,
 * none, or, by default, as few as make its activations fit the budget, so short micro-batches skip the recompute,
 * long ones recompute only the layers they must, and the longest recompute them all. The budget is read once, at the
 * first micro-batch, when the weights, copies, references and optimizer state already hold their memory.
 */
public final class Checkpointing {

    private static final Logger LOG = LoggerFactory.getLogger(Checkpointing.class);
    private final Boolean mode;
    private final Activations activations;
    private final LongSupplier budget;
    private long budgetBytes = -1;
    private int lastDecision = -1;

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

    /**
     * How many layers, from the first, {@code batch} recomputes in backward (0: none, the plain pass); under
     * {@code auto} the fewest that fit the budget with head chunks of {@code headChunkElements} logits.
     */
    public int recomputedLayers(PairBatch batch, int layers, long headChunkElements) {
        if (mode != null) {
            return mode ? layers : 0;
        }
        long rowTokens = (long) batch.rows() * batch.length();
        long viewTokens = batch.shared() ? batch.viewTokens() : 0;
        int recomputed = activations.layersToRecompute(rowTokens, viewTokens, batch.targets().length, budgetBytes(),
                headChunkElements);
        log(batch, recomputed, layers, activations.kept(rowTokens, viewTokens, batch.targets().length, recomputed,
                headChunkElements));
        return recomputed;
    }

    /** The first decision at INFO, later changes at DEBUG (micro-batches of other lengths decide anew). */
    private synchronized void log(PairBatch batch, int recomputed, int layers, long estimate) {
        if (budgetBytes != Long.MAX_VALUE && recomputed != lastDecision
                && (lastDecision < 0 || LOG.isDebugEnabled())) {
            String message = String.format("gradient_checkpointing auto: %d rows of %d tokens recompute %d of %d "
                    + "layers, activations estimated at %.1f of %.1f GiB", batch.rows(), batch.length(), recomputed,
                    layers, estimate / 1073741824.0, budgetBytes / 1073741824.0);
            if (lastDecision < 0) {
                LOG.info(message);
            } else {
                LOG.debug(message);
            }
        }
        lastDecision = recomputed;
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
