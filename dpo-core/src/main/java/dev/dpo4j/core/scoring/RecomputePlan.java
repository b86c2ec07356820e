package dev.dpo4j.core.scoring;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.dpo4j.core.data.PairBatch;
import dev.dpo4j.core.memory.Activations;
import dev.dpo4j.core.memory.DeviceMemory;
import dev.dpo4j.core.memory.HeadChunks;
import dev.dpo4j.core.model.ModelConfig;
import java.util.Collection;
import java.util.List;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a training micro-batch recomputes in backward and how every pass chunks its LM head: the one place that
 * decides both. Under {@code gradient_checkpointing} (TRL's name for recomputing activations) a micro-batch recomputes
 * all of its decoder layers, none, or, by default ({@code auto}), as few as make its activations fit the budget, so
 * short micro-batches skip the recompute, long ones recompute only the layers they must, and the longest recompute
 * them all ({@link Decision}). The budget is read once, at the first micro-batch, when the weights, copies,
 * references and optimizer state already hold their memory. Not to be confused with saved training checkpoints
 * (package {@code checkpoint}).
 */
public final class RecomputePlan {

    /**
     * Logit elements the LM head computes at once at least (16 Mi: 64 MiB in float32); a vocabulary over 8k has
     * chunks of {@link #HEAD_CHUNK_TOKENS} (or {@link #RECOMPUTED_HEAD_CHUNK_TOKENS}) tokens instead. A chunk costs ten
     * small calls.
     */
    public static final long HEAD_CHUNK_ELEMENTS = 1L << 24;
    /**
     * Scored tokens a head chunk holds at least in the plain pass and in passes without a graph, so that a large
     * vocabulary does not cut the head into many calls. On an H200 (2026-12-01, 4 pairs of 4096 tokens) chunks of 2048
     * tokens made a step 3% faster than chunks of 512 for Llama-1B (128k vocabulary) and Qwen2.5-0.5B (152k), and
     * 8192 no faster again; the plain pass with them ran as fast as with its head in one piece.
     */
    public static final int HEAD_CHUNK_TOKENS = 2048;
    /**
     * Scored tokens a head chunk holds at least in a recomputing pass ({@code RecomputingPass}), which runs where
     * memory is short: a chunk's backward takes about 14 bytes a logit, 1.1 GiB at 512 tokens of a 152k vocabulary
     * against 4.3 at 2048.
     */
    public static final int RECOMPUTED_HEAD_CHUNK_TOKENS = 512;

    private static final Logger LOG = LoggerFactory.getLogger(RecomputePlan.class);

    private final Boolean mode;
    private final Activations activations;
    private final LongSupplier budget;
    private long budgetBytes = -1;
    private int lastDecision = -1;

    private RecomputePlan(Boolean mode, Activations activations, LongSupplier budget) {
        this.mode = mode;
        this.activations = activations;
        this.budget = budget;
    }

    /**
     * Logit elements a head chunk holds for a vocabulary of {@code vocab} in the plain pass and without a graph:
     * {@link #HEAD_CHUNK_ELEMENTS}, or {@link #HEAD_CHUNK_TOKENS} tokens of it when that is more.
     */
    public static long headChunkElements(int vocab) {
        return Math.max(HEAD_CHUNK_ELEMENTS, (long) HEAD_CHUNK_TOKENS * vocab);
    }

    /** As {@link #headChunkElements} for a recomputing pass ({@link #RECOMPUTED_HEAD_CHUNK_TOKENS}). */
    public static long recomputedHeadChunkElements(int vocab) {
        return Math.max(HEAD_CHUNK_ELEMENTS, (long) RECOMPUTED_HEAD_CHUNK_TOKENS * vocab);
    }

    /** The head chunks of a vocabulary of {@code vocab}: the plain pass's and a recomputing pass's. */
    public static HeadChunks headChunks(int vocab) {
        return new HeadChunks(headChunkElements(vocab), recomputedHeadChunkElements(vocab));
    }

    /** Every micro-batch ({@code true}) or none ({@code false}). */
    public static RecomputePlan always(boolean recompute) {
        return new RecomputePlan(recompute, null, null);
    }

    /**
     * As the option says: {@code mode} true or false, or null for {@code auto}, where {@code budget} gives the
     * activation bytes a micro-batch may keep.
     */
    public static RecomputePlan of(Boolean mode, Activations activations, LongSupplier budget) {
        return mode != null ? always(mode) : new RecomputePlan(null, activations, budget);
    }

    /**
     * {@code gradient_checkpointing} {@code mode} for training a model of {@code config} in {@code computeType} on
     * {@code devices}: {@code auto} measures the devices' free memory at the first micro-batch, less the gradients
     * its backward will allocate for the working copies of the {@code trained} weights, and logs the threshold it
     * implies.
     */
    public static RecomputePlan forTraining(Boolean mode, ModelConfig config, DataType computeType,
            List<Device> devices, Collection<NDArray> trained) {
        int elementBytes = computeType == DataType.FLOAT32 ? 4 : 2;
        Activations activations = new Activations(config, elementBytes);
        long gradients = elementBytes * trained.stream().mapToLong(w -> w.getShape().size()).sum();
        return of(mode, activations, () -> {
            long budget = DeviceMemory.activationBudget(devices, gradients);
            if (budget != Long.MAX_VALUE) {
                LOG.info("gradient_checkpointing auto: micro-batches whose activations exceed {} GiB recompute as "
                        + "few of their layers as make them fit (about {} tokens fit without checkpointing)",
                        String.format("%.1f", budget / 1073741824.0), budget / (activations.plain(1, 0, 0)));
            }
            return budget;
        });
    }

    /**
     * What a training micro-batch recomputes in backward.
     *
     * @param recomputedLayers how many layers, from the first (0: none, the plain pass)
     * @param headChunkElements the logits a recomputing pass's head computes at once
     */
    public record Decision(int recomputedLayers, long headChunkElements) {
    }

    /**
     * The decision for {@code batch} of a model of {@code layers} layers and a vocabulary of {@code vocab}: every
     * layer ({@code true}) or none ({@code false}) with a recomputing pass's small head chunks
     * ({@link #recomputedHeadChunkElements}); under {@code auto} the fewest layers that fit the budget, with the plain
     * pass's larger head chunks ({@link #headChunkElements}) where even recomputing every layer leaves room for them
     * ({@link Activations#fittingHeadChunks}). On an H200 the larger chunks gained more than recomputing two layers
     * fewer with the small ones (2026-12-01, Qwen2.5-0.5B and Llama-1B at 2048 and 4096 tokens, half the reference's
     * memory).
     */
    public Decision decide(PairBatch batch, int layers, int vocab) {
        HeadChunks offered = headChunks(vocab);
        if (mode != null) {
            return new Decision(mode ? layers : 0, offered.recomputing());
        }
        long rowTokens = (long) batch.rows() * batch.length();
        long viewTokens = batch.shared() ? batch.viewTokens() : 0;
        long scored = batch.targets().length;
        HeadChunks chunks = activations.fittingHeadChunks(rowTokens, viewTokens, scored, budgetBytes(), offered);
        int recomputed = activations.layersToRecompute(rowTokens, viewTokens, scored, budgetBytes(), chunks);
        log(batch, recomputed, layers, activations.kept(rowTokens, viewTokens, scored, recomputed, chunks));
        return new Decision(recomputed, chunks.recomputing());
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
