package dev.dpo4j.core.memory;

import dev.dpo4j.core.model.ModelConfig;

/**
 * The bytes a micro-batch's backward pass keeps alive, estimated from the architecture: per row token and decoder
 * layer, the inputs that autograd saves (the norms' inputs and outputs {@code 4 * hidden}, queries and keys before and
 * after the rotary embedding and the attention's inputs and output {@code 3 * (q_width + kv_width)}, the SwiGLU's gate,
 * up, activation and product {@code 4 * intermediate}), in the compute type; and what the LM head holds, per scored
 * logit and per logit of the chunk being back-propagated ({@link #headBytesPerLogit}). Against the peaks of recomputing
 * passes and plain ones measured on an H200 (2026-12-01, Qwen2.5-0.5B and Llama-1B shapes, 2048 to 8192 tokens,
 * {@code BENCHMARKS.md}) it came within 1% below to 9% above them once the working copies' gradients, which the first
 * backward allocates, were set aside from the budget: it errs high more than low, and the budget keeps a margin
 * ({@link DeviceMemory#ACTIVATION_SHARE}), so {@code auto} recomputes rather than runs out of memory. The head chunk
 * sizes come as parameters ({@link HeadChunks}): the scoring pass sets them and decides with these counts.
 *
 * @param config the architecture
 * @param elementBytes bytes of one element of the compute type (2 for float16 and bfloat16, 4 for float32)
 */
public record Activations(ModelConfig config, int elementBytes) {

    /** Elements kept per row token and decoder layer by a plain backward pass. */
    public long elementsPerTokenAndLayer() {
        long queryWidth = (long) config.numHeads() * config.headDim();
        long kvWidth = (long) config.numKvHeads() * config.headDim();
        return 4L * config.hiddenSize() + 3 * (queryWidth + kvWidth) + 4L * config.intermediateSize();
    }

    /**
     * Bytes kept by a plain forward and backward over {@code rowTokens} tokens (padded rows times their length)
     * that scores {@code scoredTokens} completion tokens, the head in chunks of {@code headChunkElements} logits.
     */
    public long plain(long rowTokens, long scoredTokens, long headChunkElements) {
        return plain(rowTokens, 0, scoredTokens, headChunkElements);
    }

    /**
     * As {@link #plain(long, long, long)} for rows that share a prompt and attend as {@code viewTokens} view tokens
     * ({@code [prompt; chosen]} and {@code [prompt; rejected]} of each row; 0 for unshared rows). The head keeps every
     * chunk's float32 log-softmax until backward, which then holds one chunk's gradients at a time.
     */
    public long plain(long rowTokens, long viewTokens, long scoredTokens, long headChunkElements) {
        long logits = scoredTokens * config.vocabSize();
        return config.numLayers() * perLayer(rowTokens, viewTokens) + logits * Float.BYTES
                + Math.min(headChunkElements, logits) * (headBytesPerLogit() - Float.BYTES);
    }

    /**
     * Bytes per logit of a head chunk at its backward: the float32 log-softmax that autograd keeps, the gradient the
     * gather scatters into and the log-softmax's input gradient (float32 each), and that gradient cast to the compute
     * type. On an H200 the plain passes of Qwen2.5-0.5B and Llama-1B at 512 to 4096 tokens, their head in one chunk,
     * took 13 to 16 bytes per logit beyond their layers (2026-12-01); counting 4 let {@code auto} pick the plain pass
     * for Llama-1B at 8192 tokens, which then ran out of memory.
     */
    long headBytesPerLogit() {
        return 3L * Float.BYTES + elementBytes;
    }

    /**
     * Bytes one decoder layer keeps for backward. Rows that share a prompt attend over their views: the queries,
     * keys, values and outputs gathered for the views (each prompt twice) count per view token, and the outputs
     * scattered back to the rows once more per row token. At 8192 tokens on an H200 (2026-12-01) counting them per
     * row token let a Llama-1B step without recompute run out of memory.
     */
    long perLayer(long rowTokens, long viewTokens) {
        if (viewTokens == 0) {
            return rowTokens * elementsPerTokenAndLayer() * elementBytes;
        }
        long queryWidth = (long) config.numHeads() * config.headDim();
        long kvWidth = (long) config.numKvHeads() * config.headDim();
        long rows = rowTokens * (4L * config.hiddenSize() + 4L * config.intermediateSize() + queryWidth);
        return (rows + viewTokens * 3 * (queryWidth + kvWidth)) * elementBytes;
    }

    /**
     * Bytes kept when every layer is recomputed in backward: every layer's input, one layer's activations while it is
     * recomputed and the gradients that flow back through them (as large again at the peak of the layer's backward),
     * and one chunk of {@code headChunkElements} logits at its backward (or of every token's, when fewer;
     * {@link #headBytesPerLogit}).
     */
    public long recomputed(long rowTokens, long headChunkElements) {
        return partial(rowTokens, config.numLayers(), headChunkElements);
    }

    /**
     * Bytes kept when the lowest {@code recomputed} decoder layers are recomputed and the others keep their graph:
     * the inputs of the recomputed layers, the graph of the others plus one layer's gradients while back-propagating
     * through them, or, while recomputing, one layer's activations and gradients, whichever is more; and one head
     * chunk. With every layer recomputed this is {@link #recomputed}. On an H200 (2026-12-01; Qwen2.5-0.5B and
     * Llama-1B shapes, 2048 and 4096 tokens, 5 to 15 layers recomputed) each layer that kept its graph added 83 to 93%
     * of the per-layer count. (Until the layers freed their arrays as the plain pass does, they were counted a quarter
     * high.)
     *
     * @param recomputed how many of the layers, from the first, recompute in backward (1 to all of them)
     */
    public long partial(long rowTokens, int recomputed, long headChunkElements) {
        return partial(rowTokens, 0, recomputed, headChunkElements);
    }

    /** As {@link #partial(long, int, long)} for rows that share a prompt, {@code viewTokens} as in {@link #plain}. */
    public long partial(long rowTokens, long viewTokens, int recomputed, long headChunkElements) {
        long perLayer = perLayer(rowTokens, viewTokens);
        long inputs = rowTokens * (recomputed + 1L) * config.hiddenSize() * elementBytes;
        long graph = (config.numLayers() - recomputed + 1L) * perLayer;
        long headChunk = Math.min(headChunkElements, rowTokens * config.vocabSize()); // no more tokens than there are
        return inputs + Math.max(graph, 2 * perLayer) + headChunk * headBytesPerLogit();
    }

    /**
     * How many layers, from the first, a micro-batch must recompute for its activations to fit in {@code budget}
     * bytes with head chunks of {@code chunks}: 0 when the plain pass fits, the fewest that fit otherwise, every layer
     * when none does.
     */
    public int layersToRecompute(long rowTokens, long scoredTokens, long budget, HeadChunks chunks) {
        return layersToRecompute(rowTokens, 0, scoredTokens, budget, chunks);
    }

    /** As {@link #layersToRecompute(long, long, long, HeadChunks)} for rows that share a prompt ({@link #plain}). */
    public int layersToRecompute(long rowTokens, long viewTokens, long scoredTokens, long budget, HeadChunks chunks) {
        for (int recomputed = 0; recomputed < config.numLayers(); recomputed++) {
            if (kept(rowTokens, viewTokens, scoredTokens, recomputed, chunks) <= budget) {
                return recomputed;
            }
        }
        return config.numLayers();
    }

    /**
     * The head chunks that fit {@code budget}: a recomputing pass takes the plain pass's chunk
     * ({@link HeadChunks#plain}) where recomputing every layer leaves room for it, else {@code chunks} as they are.
     */
    public HeadChunks fittingHeadChunks(long rowTokens, long viewTokens, long scoredTokens, long budget,
            HeadChunks chunks) {
        HeadChunks large = chunks.withRecomputing(chunks.plain());
        return kept(rowTokens, viewTokens, scoredTokens, config.numLayers(), large) <= budget ? large : chunks;
    }

    /**
     * Bytes kept with the lowest {@code recomputed} layers recomputed: {@link #plain} for 0, its head in chunks of
     * {@link HeadChunks#plain}, else {@link #partial} with head chunks of {@link HeadChunks#recomputing}.
     */
    public long kept(long rowTokens, long viewTokens, long scoredTokens, int recomputed, HeadChunks chunks) {
        return recomputed == 0
                ? plain(rowTokens, viewTokens, scoredTokens, chunks.plain())
                : partial(rowTokens, viewTokens, recomputed, chunks.recomputing());
    }
}
