package dev.dpo4j.core.scoring;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.dpo4j.api.arrays.Scalars;
import dev.dpo4j.core.data.PairBatch;
import dev.dpo4j.core.kernels.Autograd;
import dev.dpo4j.core.model.CausalLm;
import dev.dpo4j.core.model.Weights;
import java.util.function.Function;

/**
 * Scores completions: the summed log-probability of each sequence's completion tokens, its mean logit and its
 * {@link TokenStatistics}, in one forward pass over all chosen and rejected sequences of a batch ({@link Decoder},
 * then the {@link LmHead} over the completion tokens only); for training, also its backward, plain or recomputing
 * ({@link #train}).
 */
public final class CompletionScorer {

    private CompletionScorer() {
    }

    /**
     * Scores a batch with one forward pass over all chosen and rejected sequences, in either layout, the LM head in
     * chunks of {@link RecomputePlan#headChunkElements} logits. With a graph only if the caller records one.
     *
     * @return per-sequence summed completion log-probs (differentiable) and mean completion logits (detached),
     *     each of shape {@code (2 * pairs)}, chosen sequences first
     */
    public static Scores score(CausalLm model, PairBatch.Arrays batch, Weights weights, DataType computeType) {
        return score(model, batch, weights, computeType, RecomputePlan.headChunkElements(model.config().vocabSize()));
    }

    /**
     * As {@link #score(CausalLm, PairBatch.Arrays, Weights, DataType)}, the LM head over chunks of scored tokens, so
     * that at most {@code headChunkElements} logits exist at once. With a graph, autograd keeps each chunk's float32
     * log-softmax and back-propagates the chunks one at a time, so only one chunk's gradients exist at once; without
     * one (the reference, evaluation) nothing is kept.
     */
    public static Scores score(CausalLm model, PairBatch.Arrays batch, Weights weights, DataType computeType,
            long headChunkElements) {
        return score(model, batch, weights, computeType, headChunkElements, true);
    }

    /**
     * The per-sequence summed completion log-probs alone, as {@link #score(CausalLm, PairBatch.Arrays, Weights,
     * DataType)} gives them but without the {@link TokenStatistics} (a reference model's, which no metric reads).
     */
    public static NDArray logps(CausalLm model, PairBatch.Arrays batch, Weights weights, DataType computeType) {
        return score(model, batch, weights, computeType, RecomputePlan.headChunkElements(model.config().vocabSize()),
                false).logps();
    }

    private static Scores score(CausalLm model, PairBatch.Arrays batch, Weights weights, DataType computeType,
            long headChunkElements, boolean statistics) {
        NDManager outer = batch.inputIds().getManager();
        NDArray hidden = Decoder.decoderStates(model, batch.inputIds(),
                Decoder.context(model, batch, computeType, outer), weights);
        // the head in a sub-manager too, keeping only the per-sequence results
        try (NDManager head = outer.newSubManager()) {
            hidden.attach(head);
            Scores scores = new LmHead(model, batch, weights, headChunkElements / model.config().vocabSize())
                    .score(hidden, head, statistics);
            scores.attach(outer);
            return scores;
        }
    }

    /**
     * Scores a training micro-batch with a graph and back-propagates {@code factor} times its mean loss into the
     * weights: the plain pass, or the recomputing one ({@link RecomputingPass}) for as many layers as {@code plan}
     * decides for {@code batch}.
     *
     * @param batch the micro-batch, for the plan
     * @param arrays its arrays, in {@code scope}
     * @param outcome builds the micro-batch's result, its losses included, from the policy's scores
     * @param losses the per-pair losses of that result
     * @param <R> the result
     */
    public static <R> R train(CausalLm model, PairBatch batch, PairBatch.Arrays arrays, Weights weights,
            DataType computeType, NDManager scope, double factor, RecomputePlan plan,
            Function<Scores, R> outcome, Function<R, NDArray> losses) {
        RecomputePlan.Decision decision = plan.decide(batch, model.numLayers(), model.config().vocabSize());
        if (decision.recomputedLayers() > 0) {
            return RecomputingPass.run(model, arrays, weights, computeType, scope, factor,
                    decision.headChunkElements(), decision.recomputedLayers(), outcome, losses);
        }
        try (Autograd recording = Autograd.record()) {
            R result = outcome.apply(score(model, arrays, weights, computeType));
            NDArray mean = losses.apply(result).mean();
            Autograd.backward(mean.mul(Scalars.of(mean, factor)));
            return result;
        }
    }

    /**
     * Per-sequence scores.
     *
     * @param logps summed completion log-probabilities, each token weighted as the batch's
     *     {@link PairBatch.Arrays#logpSegments()} weigh it (LD-DPO)
     * @param meanLogits mean logit over completion tokens and vocabulary
     * @param statistics sums over completion tokens of entropy, hits and WPO's aligned log-probs; null where not
     *     computed
     */
    public record Scores(NDArray logps, NDArray meanLogits, TokenStatistics statistics) {

        /** Scores without statistics. */
        public Scores(NDArray logps, NDArray meanLogits) {
            this(logps, meanLogits, null);
        }

        /** Moves every array to {@code manager}. */
        void attach(NDManager manager) {
            logps.attach(manager);
            meanLogits.attach(manager);
            if (statistics != null) {
                statistics.entropy().attach(manager);
                statistics.correct().attach(manager);
                statistics.alignedLogps().attach(manager);
            }
        }
    }
}
