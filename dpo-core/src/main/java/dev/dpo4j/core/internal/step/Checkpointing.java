package dev.dpo4j.core.internal.step;

import dev.dpo4j.core.data.PairBatch;
import dev.dpo4j.core.memory.Activations;
import dev.dpo4j.core.scoring.CompletionScorer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How many decoder layers of a training micro-batch recompute in backward ({@code gradient_checkpointing}): all,
 * none, or, by default, as few as make its activations fit the budget, so short micro-batches skip the recompute,
 * long ones recompute only the layers they must, and the longest recompute them all; and how large the recomputing
 * pass's head chunks are ({@link Plan}). The budget is read once, at the first micro-batch, when the weights, copies,
 * references and optimizer state already hold their memory.
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
     * What a training micro-batch recomputes in backward.
     *
     * @param recomputedLayers how many layers, from the first (0: none, the plain pass)
     * @param headChunkElements the logits a recomputing pass's head computes at once
     */
    public record Plan(int recomputedLayers, long headChunkElements) {
    }

    /**
     * The plan for {@code batch} of a model of {@code layers} layers and a vocabulary of {@code vocab}: every layer
     * ({@code true}) or none ({@code false}) with a recomputing pass's small head chunks
     * ({@link CompletionScorer#recomputedHeadChunkElements}); under {@code auto} the fewest layers that fit the budget,
     * with the plain pass's larger head chunks ({@link CompletionScorer#headChunkElements}) where even recomputing
     * every layer leaves room for them. On an H200 the larger chunks gained more than recomputing two layers fewer
     * with the small ones (2026-12-01, Qwen2.5-0.5B and Llama-1B at 2048 and 4096 tokens, half the reference's memory).
     */
    public Plan plan(PairBatch batch, int layers, int vocab) {
        long small = CompletionScorer.recomputedHeadChunkElements(vocab);
        if (mode != null) {
            return new Plan(mode ? layers : 0, small);
        }
        long rowTokens = (long) batch.rows() * batch.length();
        long viewTokens = batch.shared() ? batch.viewTokens() : 0;
        long scored = batch.targets().length;
        long chunk = activations.recomputedHeadChunk(rowTokens, viewTokens, scored, budgetBytes(), small);
        int recomputed = activations.layersToRecompute(rowTokens, viewTokens, scored, budgetBytes(), chunk);
        log(batch, recomputed, layers, activations.kept(rowTokens, viewTokens, scored, recomputed, chunk));
        return new Plan(recomputed, chunk);
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
