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
 * One micro-batch's forward and backward with activation checkpointing per decoder layer and a chunked LM head.
 *
 * <p>The forward pass runs without a graph and keeps only each layer's input. The LM head scores the completion
 * tokens in chunks, so at most one chunk's logits exist at a time; the loss is built on the per-sequence log-probs as
 * a leaf. Backward then walks down: the head again chunk by chunk, each decoder layer recomputed from its saved input
 * and back-propagated with the gradient of its output, and finally the embedding. Gradients land where the plain pass
 * puts them, at the cost of one more forward pass. Every layer's arrays are freed as soon as its backward is done.
 */
public final class CheckpointedPass {

    private CheckpointedPass() {
    }

    /**
     * Runs the micro-batch and back-propagates {@code factor} times its mean loss, every layer recomputed.
     *
     * @param headChunkElements logit elements the head computes at once ({@link CompletionScorer#HEAD_CHUNK_ELEMENTS})
     * @param outcome builds the micro-batch's result, its losses included, from the policy's scores
     * @param losses the per-pair losses of that result
     * @param <R> the result
     */
    public static <R> R run(CausalLm model, PairBatch.Arrays arrays, Weights weights, DataType computeType,
            NDManager scope, double factor, long headChunkElements,
            Function<CompletionScorer.Scores, R> outcome, Function<R, NDArray> losses) {
        return run(model, arrays, weights, computeType, scope, factor, headChunkElements, model.numLayers(), outcome,
                losses);
    }

    /**
     * As the other {@code run}, only the first {@code recomputed} layers recomputed: the layers above them run with a
     * graph in the forward pass and are back-propagated through it, as in the plain pass, before the recomputed ones.
     *
     * @param recomputed how many layers, from the first, keep only their input (0 to all of them)
     */
    public static <R> R run(CausalLm model, PairBatch.Arrays arrays, Weights weights, DataType computeType,
            NDManager scope, double factor, long headChunkElements, int recomputed,
            Function<CompletionScorer.Scores, R> outcome, Function<R, NDArray> losses) {
        NDManager[] keep = new NDManager[recomputed + 1];
        NDArray[] inputs = new NDArray[recomputed + 1];
        CausalLm.ForwardContext context = CompletionScorer.context(model, arrays, computeType, scope);
        keep[0] = scope.newSubManager();
        inputs[0] = model.embed(arrays.inputIds(), weights);
        inputs[0].attach(keep[0]);
        for (int i = 0; i < recomputed; i++) {
            keep[i + 1] = scope.newSubManager();
            try (NDManager step = scope.newSubManager()) {
                inputs[i].tempAttach(step);
                inputs[i + 1] = model.layer(i, inputs[i], context, weights);
                inputs[i + 1].attach(keep[i + 1]);
            }
        }
        HeadChunks chunks = new HeadChunks(arrays, headChunkElements / model.config().vocabSize());
        R result;
        NDArray gradient;
        try (NDManager graph = scope.newSubManager()) {
            NDArray top = layersWithGraph(model, recomputed, inputs[recomputed], context, weights, graph);
            NDArray states = top == inputs[recomputed] ? top : top.stopGradient();
            CompletionScorer.Scores scores = chunks.score(model, states, weights, scope);
            try (Autograd recording = Autograd.record()) {
                NDArray leaf = scores.logps();
                leaf.setRequiresGradient(true);
                result = outcome.apply(scores);
                NDArray mean = losses.apply(result).mean();
                Autograd.backward(mean.mul(Scalars.of(mean, factor)));
                gradient = chunks.backward(model, states, weights, leaf.getGradient(), scope);
                if (top != states) { // through the layers that kept their graph, down to the last recomputed one
                    Autograd.backward(top, gradient);
                    gradient.close();
                    gradient = inputs[recomputed].getGradient();
                    gradient.attach(scope);
                }
            }
        }
        keep[recomputed].close();
        try (Autograd recording = Autograd.record()) {
            for (int i = recomputed - 1; i >= 0; i--) {
                gradient = backwardLayer(model, i, inputs[i], context, weights, gradient, scope);
                keep[i].close();
            }
            try (NDManager step = scope.newSubManager()) {
                arrays.inputIds().tempAttach(step);
                if (Autograd.requiresGradient(model.embedding(weights))) { // a frozen one (LoRA) takes none
                    Autograd.backward(model.embed(arrays.inputIds(), weights), gradient);
                }
            }
            gradient.close();
            return result;
        }
    }

    /**
     * Layers {@code from} to the last over {@code input} with a graph, the last one's output in {@code graph};
     * {@code input} itself when there are none. As in the plain pass, each layer runs in a manager of its own that
     * keeps only its output: autograd holds what backward needs, and the layer's other arrays are freed at once.
     */
    private static NDArray layersWithGraph(CausalLm model, int from, NDArray input, CausalLm.ForwardContext context,
            Weights weights, NDManager graph) {
        if (from == model.numLayers()) {
            return input;
        }
        input.setRequiresGradient(true);
        try (Autograd recording = Autograd.record()) {
            NDArray hidden = input;
            for (int i = from; i < model.numLayers(); i++) {
                try (NDManager layer = graph.newSubManager()) {
                    if (hidden == input) {
                        hidden.tempAttach(layer); // the input stays, for its gradient
                    } else {
                        hidden.attach(layer);
                    }
                    NDArray next = model.layer(i, hidden, context, weights);
                    next.attach(graph);
                    hidden = next;
                }
            }
            return hidden;
        }
    }

    /** Recomputes layer {@code index} with a graph and back-propagates; returns the gradient of its input. */
    private static NDArray backwardLayer(CausalLm model, int index, NDArray input, CausalLm.ForwardContext context,
            Weights weights, NDArray outputGradient, NDManager scope) {
        try (NDManager step = scope.newSubManager()) {
            input.tempAttach(step);
            outputGradient.attach(step);
            input.setRequiresGradient(true);
            Autograd.backward(model.layer(index, input, context, weights), outputGradient);
            NDArray inputGradient = input.getGradient();
            inputGradient.attach(scope);
            return inputGradient;
        }
    }

    /** The completion tokens of a batch cut into chunks of a fixed number of tokens. */
    private static final class HeadChunks {
        private final PairBatch.Arrays arrays;
        private final long chunk;

        HeadChunks(PairBatch.Arrays arrays, long tokensPerChunk) {
            this.arrays = arrays;
            this.chunk = tokensPerChunk;
        }

        /** Per-sequence log-probs and mean logits, chunk by chunk, without a graph. */
        CompletionScorer.Scores score(CausalLm model, NDArray states, Weights weights, NDManager scope) {
            return CompletionScorer.headInChunks(model, states, arrays, weights, chunk, scope);
        }

        /** Back-propagates the per-sequence gradient through the head; returns the gradient of the states. */
        NDArray backward(CausalLm model, NDArray states, Weights weights, NDArray sequenceGradient,
                NDManager scope) {
            states.setRequiresGradient(true);
            // each token's upstream gradient is its sequence's
            CompletionScorer.forEachHeadChunk(model, states, arrays, weights, chunk, scope, (scores, segments) ->
                    Autograd.backward(scores.logps(), segments.transpose().matMul(sequenceGradient)));
            NDArray gradient = states.getGradient();
            gradient.attach(scope);
            return gradient;
        }
    }
}
