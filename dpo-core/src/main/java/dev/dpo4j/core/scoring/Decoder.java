package dev.dpo4j.core.scoring;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.dpo4j.core.data.PairBatch;
import dev.dpo4j.core.kernels.AttentionMask;
import dev.dpo4j.core.kernels.AttentionMasks;
import dev.dpo4j.core.model.CausalLm;
import dev.dpo4j.core.model.ForwardContext;
import dev.dpo4j.core.model.ModelConfig;
import dev.dpo4j.core.model.Weights;
import java.util.function.IntFunction;

/**
 * The decoder part of a forward pass: its context (rotary tables and masks, in either layout of a batch) and the one
 * loop over the decoder layers that the plain pass, a pass with a graph and a recomputing pass all run.
 */
public final class Decoder {

    private Decoder() {
    }

    /** Which inputs of the layers {@link #layers} runs outlive their layer. */
    enum Kept {
        /** None: each is freed once its layer has run (autograd keeps what backward needs). */
        NONE,
        /** The first input only, for its gradient. */
        FIRST,
        /** Every input: each layer's output lives on in its own manager, the input of a recomputed layer. */
        EVERY
    }

    /**
     * Final hidden states (after the last RMSNorm) for token ids of shape {@code (batch, length)}. Sequences are
     * right-padded, so the causal mask alone keeps real tokens from attending to padding.
     */
    public static NDArray hiddenStates(CausalLm model, NDArray inputIds, Weights weights, DataType computeType) {
        NDArray states = decoderStates(model, inputIds,
                context(model, inputIds.getManager(), (int) inputIds.getShape().get(1), computeType), weights);
        return model.finalNorm(states, weights);
    }

    /**
     * The output of the last decoder layer, before the final RMSNorm, of shape {@code (batch, length, hidden)}, in the
     * manager of {@code inputIds}. DJL frees an array only when its manager closes, so each layer runs in a sub-manager
     * and only its output is kept: a forward without a graph holds one layer's intermediates at a time, and what
     * autograd saved for backward stays alive inside the graph.
     */
    static NDArray decoderStates(CausalLm model, NDArray inputIds, ForwardContext context, Weights weights) {
        NDManager outer = inputIds.getManager();
        NDArray hidden = model.embed(inputIds, weights);
        hidden.attach(outer);
        int count = model.numLayers();
        return layers(model, 0, count, hidden, context, weights, Kept.NONE, i -> outer)[count];
    }

    /**
     * Layers {@code from} (inclusive) to {@code to} (exclusive) over {@code input}, each in a manager of its own that
     * keeps only its output: that output moves to {@code home.apply(layer)}, the layer's other arrays are freed at
     * once, and its input is freed or kept as {@code kept} says. Whether a graph is recorded is the caller's.
     *
     * @return {@code input}, then the output of each layer: the last layer's output last
     */
    static NDArray[] layers(CausalLm model, int from, int to, NDArray input, ForwardContext context, Weights weights,
            Kept kept, IntFunction<NDManager> home) {
        NDArray[] outputs = new NDArray[to - from + 1];
        outputs[0] = input;
        NDArray hidden = input;
        for (int i = from; i < to; i++) {
            NDManager output = home.apply(i);
            try (NDManager layer = output.newSubManager()) {
                if (kept == Kept.EVERY || kept == Kept.FIRST && hidden == input) {
                    hidden.tempAttach(layer);
                } else {
                    hidden.attach(layer);
                }
                NDArray next = model.layer(i, hidden, context, weights);
                next.attach(output);
                hidden = next;
                outputs[i - from + 1] = next;
            }
        }
        return outputs;
    }

    /**
     * The rotary tables and masks of a forward pass over the batch, in {@code arrays}: the plain causal ones for
     * unshared rows, the per-row block masks and positions of a shared prompt otherwise.
     */
    public static ForwardContext context(CausalLm model, PairBatch.Arrays batch, DataType computeType,
            NDManager arrays) {
        if (batch.shared()) {
            PairBatch.PackedArrays packed = batch.packed();
            return context(model, arrays, batch.positionIds(), batch.blocks(), batch.viewTokens(),
                    batch.tokenSources(), packed == null ? null
                            : new AttentionMask.Packed(packed.keyTokens(), packed.starts(), packed.longest(), 0),
                    computeType);
        }
        return context(model, arrays, (int) batch.inputIds().getShape().get(1), computeType);
    }

    /**
     * The rotary tables and attention masks of a forward pass over sequences of {@code length} tokens: the causal
     * mask, and the sliding-window mask when the architecture has a window shorter than {@code length}.
     */
    public static ForwardContext context(CausalLm model, NDManager arrays, int length, DataType computeType) {
        ModelConfig.SlidingWindow window = model.config().slidingWindow();
        NDList rope = model.rotaryTables(arrays, length, computeType);
        AttentionMasks.Pair masks = AttentionMasks.causal(arrays, length, window == null ? 0 : window.size(),
                computeType, model.kernels());
        return new ForwardContext(rope, masks.causal(), masks.sliding(), masks.sliding() == null ? null : window);
    }

    /**
     * The rotary tables and block masks of a forward pass over rows that each hold a shared prefix followed by
     * several sequences ({@link AttentionMasks#blocks}): every token stands at its own rotary position.
     *
     * @param positions {@code (batch, length)} int64 rotary position of each token, each below {@code length}
     * @param blocks {@code (batch, length)} integer block of each token: 0 for the shared prefix
     * @param viewTokens the rows as views, for kernels that attend over them; null for none
     * @param tokenSources where each row token's output stands in the views; null with {@code viewTokens}
     * @param packed the views also as packed sequences, or null
     */
    public static ForwardContext context(CausalLm model, NDManager arrays, NDArray positions, NDArray blocks,
            NDArray viewTokens, NDArray tokenSources, AttentionMask.Packed packed, DataType computeType) {
        ModelConfig.SlidingWindow window = model.config().slidingWindow();
        AttentionMasks.Pair masks = AttentionMasks.blocks(arrays, positions, blocks, viewTokens, tokenSources,
                packed, window == null ? 0 : window.size(), computeType, model.kernels());
        NDList rope = model.rotaryTables(arrays, positions, computeType);
        return new ForwardContext(rope, masks.causal(), masks.sliding(), masks.sliding() == null ? null : window);
    }
}
