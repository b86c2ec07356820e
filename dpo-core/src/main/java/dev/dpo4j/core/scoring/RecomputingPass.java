package dev.dpo4j.core.scoring;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.dpo4j.api.arrays.Scalars;
import dev.dpo4j.core.data.PairBatch;
import dev.dpo4j.core.kernels.Autograd;
import dev.dpo4j.core.model.CausalLm;
import dev.dpo4j.core.model.ForwardContext;
import dev.dpo4j.core.model.Weights;
import java.util.function.Function;

/**
 * One micro-batch's forward and backward that recomputes its lowest decoder layers in backward (what TRL calls
 * gradient checkpointing; nothing to do with saved training checkpoints), with a chunked LM head.
 *
 * <p>The forward pass runs the recomputed layers without a graph and keeps only each one's input; the layers above
 * them run with a graph, as in the plain pass. The LM head scores the completion tokens in chunks, so at most one
 * chunk's logits exist at a time; the loss is built on the per-sequence log-probs as a leaf. Backward then walks down:
 * the head again chunk by chunk, the layers that kept their graph, each recomputed layer recomputed from its saved
 * input and back-propagated with the gradient of its output, and finally the embedding. Gradients land where the plain
 * pass puts them, at the cost of one more forward pass over the recomputed layers. Every layer's arrays are freed as
 * soon as its backward is done.
 */
final class RecomputingPass {

    private RecomputingPass() {
    }

    /**
     * Runs the micro-batch and back-propagates {@code factor} times its mean loss, every layer recomputed.
     *
     * @param headChunkElements logit elements the head computes at once ({@link RecomputePlan#HEAD_CHUNK_ELEMENTS})
     * @param outcome builds the micro-batch's result, its losses included, from the policy's scores
     * @param losses the per-pair losses of that result
     * @param <R> the result
     */
    static <R> R run(CausalLm model, PairBatch.Arrays arrays, Weights weights, DataType computeType,
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
    static <R> R run(CausalLm model, PairBatch.Arrays arrays, Weights weights, DataType computeType,
            NDManager scope, double factor, long headChunkElements, int recomputed,
            Function<CompletionScorer.Scores, R> outcome, Function<R, NDArray> losses) {
        NDManager[] keep = new NDManager[recomputed + 1];
        ForwardContext context = Decoder.context(model, arrays, computeType, scope);
        keep[0] = scope.newSubManager();
        NDArray embedded = model.embed(arrays.inputIds(), weights);
        embedded.attach(keep[0]);
        // without a graph, each recomputed layer's output kept in a manager of its own: the next one's input
        NDArray[] inputs = Decoder.layers(model, 0, recomputed, embedded, context, weights, Decoder.Kept.EVERY,
                i -> keep[i + 1] = scope.newSubManager());
        LmHead head = new LmHead(model, arrays, weights, headChunkElements / model.config().vocabSize());
        R result;
        NDArray gradient;
        try (NDManager graph = scope.newSubManager()) {
            NDArray top = layersWithGraph(model, recomputed, inputs[recomputed], context, weights, graph);
            NDArray states = top == inputs[recomputed] ? top : top.stopGradient();
            CompletionScorer.Scores scores = head.score(states, scope, true);
            try (Autograd recording = Autograd.record()) {
                NDArray leaf = scores.logps();
                leaf.setRequiresGradient(true);
                result = outcome.apply(scores);
                NDArray mean = losses.apply(result).mean();
                Autograd.backward(mean.mul(Scalars.of(mean, factor)));
                gradient = head.backward(states, leaf.getGradient(), scope);
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
     * Layers {@code from} to the last over {@code input} with a graph ({@link Decoder#layers}, the input kept for its
     * gradient), the last one's output in {@code graph}; {@code input} itself when there are none.
     */
    private static NDArray layersWithGraph(CausalLm model, int from, NDArray input, ForwardContext context,
            Weights weights, NDManager graph) {
        if (from == model.numLayers()) {
            return input;
        }
        input.setRequiresGradient(true);
        try (Autograd recording = Autograd.record()) {
            NDArray[] outputs = Decoder.layers(model, from, model.numLayers(), input, context, weights,
                    Decoder.Kept.FIRST, i -> graph);
            return outputs[outputs.length - 1];
        }
    }

    /** Recomputes layer {@code index} with a graph and back-propagates; returns the gradient of its input. */
    private static NDArray backwardLayer(CausalLm model, int index, NDArray input, ForwardContext context,
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
}
