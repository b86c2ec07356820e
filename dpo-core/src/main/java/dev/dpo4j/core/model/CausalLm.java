package dev.dpo4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import dev.dpo4j.core.kernels.AttentionMask;
import dev.dpo4j.core.kernels.Kernels;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Llama-family decoder-only language model (Llama 2/3, Mistral, Qwen2/2.5, Qwen3): token embedding, decoder
 * layers, final RMSNorm and an LM head that may be tied to the embedding. It holds the float32 master weights
 * under their Hugging Face names; the forward pass reads weights through a {@link Weights} view so the same code
 * runs in float32 or float16.
 */
public final class CausalLm implements AutoCloseable {

    private static final String EMBEDDING_MODULE = "model.embed_tokens";
    private static final String EMBEDDING = Weights.weightOf(EMBEDDING_MODULE);
    private static final String LM_HEAD_MODULE = "lm_head";

    private final ModelConfig config;
    private final Map<String, NDArray> parameters;
    private final List<TransformerBlock> layers;
    private final RmsNorm finalNorm;
    private final RotaryEmbedding rotary;
    private final NDManager manager;
    private final Kernels kernels;
    private final Map<String, FusedProjections.Stack> stacks;

    /**
     * Wraps already loaded weights, named and shaped as {@link #expectedShapes} lists them (loading checks that:
     * {@code ModelFolder}).
     *
     * @param manager the manager that owns the weights; closed with the model
     */
    public CausalLm(ModelConfig config, Map<String, NDArray> parameters, NDManager manager) {
        this(config, parameters, manager, Kernels.djl());
    }

    /** As the other constructor, the attention computed by {@code kernels}. */
    public CausalLm(ModelConfig config, Map<String, NDArray> parameters, NDManager manager, Kernels kernels) {
        this(config, parameters, manager, kernels, Map.of());
    }

    private CausalLm(ModelConfig config, Map<String, NDArray> parameters, NDManager manager, Kernels kernels,
            Map<String, FusedProjections.Stack> stacks) {
        this.stacks = stacks;
        this.config = config;
        this.manager = manager;
        this.kernels = kernels;
        this.parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
        this.layers = blocks(config, kernels);
        this.finalNorm = finalNorm(config, kernels);
        this.rotary = new RotaryEmbedding(config);
    }

    /** The name and shape of every trainable weight of an architecture, in Hugging Face's order. */
    public static Map<String, Shape> expectedShapes(ModelConfig config) {
        Map<String, Shape> shapes = new LinkedHashMap<>();
        Shape vocabulary = new Shape(config.vocabSize(), config.hiddenSize());
        shapes.put(EMBEDDING, vocabulary);
        blocks(config, Kernels.djl()).forEach(block -> shapes.putAll(block.parameterShapes()));
        shapes.putAll(finalNorm(config, Kernels.djl()).parameterShapes());
        if (!config.tieWordEmbeddings()) {
            shapes.put(Weights.weightOf(LM_HEAD_MODULE), vocabulary);
        }
        return shapes;
    }

    /**
     * The decoder layers' linear projections (attention {@code q/k/v/o_proj}, MLP {@code gate/up/down_proj}) by
     * module name, each with its weight's shape {@code (out, in)}: the modules LoRA adapters may target.
     */
    public static Map<String, Shape> projections(ModelConfig config) {
        String weight = Weights.weightOf("");
        Map<String, Shape> projections = new LinkedHashMap<>();
        blocks(config, Kernels.djl()).forEach(block -> block.parameterShapes().forEach((name, shape) -> {
            if (shape.dimension() == 2 && name.endsWith(weight)) {
                projections.put(name.substring(0, name.length() - weight.length()), shape);
            }
        }));
        return projections;
    }

    /**
     * The decoder layers' module groups that read the same input, {@code q/k/v_proj} and {@code gate/up_proj} of
     * each layer: what {@link FusedProjections} stacks.
     */
    public static List<List<String>> stackedProjections(ModelConfig config) {
        List<List<String>> groups = new ArrayList<>();
        blocks(config, Kernels.djl()).forEach(block -> groups.addAll(block.stackedModules()));
        return groups;
    }

    private static List<TransformerBlock> blocks(ModelConfig config, Kernels kernels) {
        List<TransformerBlock> blocks = new ArrayList<>(config.numLayers());
        for (int i = 0; i < config.numLayers(); i++) {
            blocks.add(new TransformerBlock(config, i, kernels));
        }
        return blocks;
    }

    private static RmsNorm finalNorm(ModelConfig config, Kernels kernels) {
        return new RmsNorm("model.norm", config.hiddenSize(), config.rmsNormEps(), kernels);
    }

    /**
     * Final hidden states (after the last RMSNorm) for token ids of shape {@code (batch, length)}. Sequences are
     * right-padded, so the causal mask alone keeps real tokens from attending to padding.
     */
    public NDArray hiddenStates(NDArray inputIds, Weights weights, DataType computeType) {
        return finalNorm(decoderStates(inputIds, weights, computeType), weights);
    }

    /**
     * The output of the last decoder layer, before the final RMSNorm, of shape {@code (batch, length, hidden)}, in the
     * manager of {@code inputIds}. DJL frees an array only when its manager closes, so each layer runs in a sub-manager
     * and only its output is kept: a forward without a graph holds one layer's intermediates at a time, and what
     * autograd saved for backward stays alive inside the graph.
     */
    public NDArray decoderStates(NDArray inputIds, Weights weights, DataType computeType) {
        return decoderStates(inputIds, context(inputIds.getManager(), (int) inputIds.getShape().get(1), computeType),
                weights);
    }

    /** As {@link #decoderStates(NDArray, Weights, DataType)}, with the positions and masks of {@code context}. */
    public NDArray decoderStates(NDArray inputIds, ForwardContext context, Weights weights) {
        NDManager outer = inputIds.getManager();
        NDArray hidden = embed(inputIds, weights);
        hidden.attach(outer);
        for (int i = 0; i < layers.size(); i++) {
            try (NDManager layer = outer.newSubManager()) {
                hidden.attach(layer);
                NDArray next = layer(i, hidden, context, weights);
                next.attach(outer);
                hidden = next;
            }
        }
        return hidden;
    }

    /**
     * The rotary tables and attention masks of a forward pass over sequences of {@code length} tokens: the causal
     * mask, and the sliding-window mask when the architecture has a window shorter than {@code length}.
     */
    public ForwardContext context(NDManager arrays, int length, DataType computeType) {
        ModelConfig.SlidingWindow window = config.slidingWindow();
        boolean windowed = window != null && window.size() < length;
        NDList rope = inComputeType(rotary.tables(arrays, length, DataType.FLOAT32), computeType);
        return new ForwardContext(rope, AttentionMask.causal(causalMask(arrays, length, computeType, 0)),
                windowed ? AttentionMask.of(causalMask(arrays, length, computeType, window.size())) : null,
                windowed ? window : null);
    }

    /**
     * The rotary tables and block masks of a forward pass over rows that each hold a shared prefix followed by
     * several sequences (a prompt and its completions): every token stands at its own rotary position, and query
     * {@code i} may attend to key {@code j} when {@code j} comes no later in the row and is in block 0 (the prefix) or
     * in the block of {@code i}. Every key may see itself, so no row of the masks is fully blocked. The sliding
     * window, if any, counts positions, not indices, so each sequence sees the prefix as it would alone. With views
     * and kernels that read only them ({@link Kernels#readsViews()}) the block masks are not built.
     *
     * @param positions {@code (batch, length)} int64 rotary position of each token, each below {@code length}
     * @param blocks {@code (batch, length)} integer block of each token: 0 for the shared prefix
     * @param viewTokens the rows as views ({@link AttentionMask.Views#tokens()}), for kernels that attend over them;
     *     null for none
     * @param tokenSources where each row token's output stands in the views ({@link AttentionMask.Views#sources()});
     *     null with {@code viewTokens}
     */
    public ForwardContext context(NDManager arrays, NDArray positions, NDArray blocks, NDArray viewTokens,
            NDArray tokenSources, DataType computeType) {
        return context(arrays, positions, blocks, viewTokens, tokenSources, null, computeType);
    }

    /**
     * As {@link #context(NDManager, NDArray, NDArray, NDArray, NDArray, DataType)}, the views also as packed sequences
     * ({@code packed}, with no window: the sliding mask's views get the model's).
     */
    public ForwardContext context(NDManager arrays, NDArray positions, NDArray blocks, NDArray viewTokens,
            NDArray tokenSources, AttentionMask.Packed packed, DataType computeType) {
        long batch = positions.getShape().get(0);
        int length = (int) positions.getShape().get(1);
        ModelConfig.SlidingWindow window = config.slidingWindow();
        boolean windowed = window != null && window.size() < length;
        // kernels that attend over the views never read the (batch, length, length) block masks: none are built
        boolean masks = viewTokens == null || !kernels.readsViews();
        // the (batch, length, length) intermediates are freed at once; only the masks and tables are kept
        try (NDManager scratch = arrays.newSubManager()) {
            positions.tempAttach(scratch);
            blocks.tempAttach(scratch);
            NDList kept = new NDList();
            if (masks) {
                NDArray rows = scratch.arange(length).reshape(length, 1);
                NDArray columns = scratch.arange(length).reshape(1, length);
                NDArray keyBlocks = blocks.reshape(batch, 1, length);
                NDArray otherBlock = keyBlocks.neq(blocks.reshape(batch, length, 1)).logicalAnd(keyBlocks.neq(0));
                NDArray blocked = otherBlock.logicalOr(columns.gt(rows));
                kept.add(additive(blocked, computeType));
                if (windowed) {
                    NDArray distance = positions.reshape(batch, length, 1).sub(positions.reshape(batch, 1, length));
                    kept.add(additive(blocked.logicalOr(distance.gte(window.size())), computeType));
                }
            }
            int maskCount = kept.size();
            NDList rope = inComputeType(rotary.tables(scratch, positions, DataType.FLOAT32), computeType);
            kept.addAll(rope);
            int viewLength = viewTokens == null ? 0 : (int) viewTokens.getShape().get(1);
            boolean viewsWindowed = viewTokens != null && window != null && window.size() < viewLength;
            NDArray viewWindow = viewsWindowed ? causalMask(scratch, viewLength, computeType, window.size()) : null;
            if (viewWindow != null) {
                kept.add(viewWindow);
            }
            kept.attach(arrays);
            AttentionMask.Views views = viewTokens == null ? null
                    : new AttentionMask.Views(viewTokens, tokenSources, null, packed);
            AttentionMask.Views windowViews = viewWindow == null ? views
                    : new AttentionMask.Views(viewTokens, tokenSources, viewWindow,
                            packed == null ? null : packed.withWindow(window.size()));
            NDArray causalMask = maskCount > 0 ? kept.get(0) : null;
            NDArray slidingMask = maskCount > 1 ? kept.get(1) : null;
            return new ForwardContext(rope, AttentionMask.of(causalMask, views),
                    windowed ? AttentionMask.of(slidingMask, windowViews) : null, windowed ? window : null);
        }
    }

    /** Float32 tables in the compute type, cast through the kernels (DJL has no bfloat16 cast). */
    private NDList inComputeType(NDList tables, DataType computeType) {
        if (computeType == DataType.FLOAT32) {
            return tables;
        }
        NDList cast = new NDList(tables.size());
        tables.forEach(table -> cast.add(kernels.cast(table, computeType)));
        return cast;
    }

    /** The embedding matrix of shape {@code (vocab, hidden)}. */
    public NDArray embedding(Weights weights) {
        return weights.get(EMBEDDING);
    }

    /** Token embeddings of ids of shape {@code (batch, length)}. */
    public NDArray embed(NDArray inputIds, Weights weights) {
        return Embedding.embedding(inputIds, embedding(weights), SparseFormat.DENSE).singletonOrThrow();
    }

    /** Decoder layer {@code index} applied to hidden states of shape {@code (batch, length, hidden)}. */
    public NDArray layer(int index, NDArray hidden, ForwardContext context, Weights weights) {
        return layers.get(index).forward(hidden, context.rope(), context.mask(index), weights);
    }

    /** Number of decoder layers. */
    public int numLayers() {
        return layers.size();
    }

    /** The final RMSNorm, applied row by row, so it may run on selected positions only. */
    public NDArray finalNorm(NDArray hidden, Weights weights) {
        return finalNorm.forward(hidden, weights);
    }

    /**
     * What every decoder layer of one forward pass shares.
     *
     * @param rope cosine and sine tables, shared by the batch or per sequence
     * @param causalMask the causal mask, or the per-sequence block mask of a shared prefix
     * @param slidingMask that mask also blocking tokens beyond the window, or null
     * @param window the layers that use {@code slidingMask}, or null
     */
    public record ForwardContext(NDList rope, AttentionMask causalMask, AttentionMask slidingMask,
            ModelConfig.SlidingWindow window) {

        /** The mask decoder layer {@code layer} applies. */
        public AttentionMask mask(int layer) {
            return window != null && window.appliesTo(layer) ? slidingMask : causalMask;
        }
    }

    /** The LM head weight of shape {@code (vocab, hidden)}: the embedding matrix when tied. */
    public NDArray lmHead(Weights weights) {
        return weights.get(lmHeadName());
    }

    /** The name of the LM head weight. */
    public String lmHeadName() {
        return Weights.weightOf(lmHeadModule());
    }

    /**
     * The module {@link Weights#linear} applies as the LM head: {@code lm_head}, or {@code model.embed_tokens} when
     * the head is tied to the embedding.
     */
    public String lmHeadModule() {
        return config.tieWordEmbeddings() ? EMBEDDING_MODULE : LM_HEAD_MODULE;
    }

    /** Logits of hidden states {@code (..., hidden)} through the LM head, in their data type. */
    public NDArray logits(NDArray hidden, Weights weights) {
        return weights.linear(lmHeadModule(), hidden, false);
    }

    /**
     * 0 where a position may attend, a large negative number where it may not: far below any real score, so softmax
     * gives it weight 0, yet far enough from the type's limit that adding a score never overflows (the float32 lowest
     * value made some CPU steps NaN; float16 overflows to -inf past 65504). With a {@code window} above 0, a query
     * also may not attend to keys {@code window} or more positions back.
     */
    private NDArray causalMask(NDManager arrays, int length, DataType type, int window) {
        NDArray rows = arrays.arange(length).reshape(length, 1);
        NDArray columns = arrays.arange(length).reshape(1, length);
        NDArray blocked = columns.gt(rows);
        if (window > 0) {
            blocked = blocked.logicalOr(rows.sub(columns).gte(window));
        }
        return additive(blocked, type);
    }

    /**
     * The additive mask of a boolean one: 0 where not {@code blocked}, the large negative number where blocked; made in
     * float32 and cast through the kernels (DJL has no bfloat16 cast).
     */
    private NDArray additive(NDArray blocked, DataType type) {
        NDArray mask = blocked.toType(DataType.FLOAT32, false).mul(type == DataType.FLOAT16 ? -30000f : -1e30f);
        return type == DataType.FLOAT32 ? mask : kernels.cast(mask, type);
    }

    /** The architecture. */
    public ModelConfig config() {
        return config;
    }

    /** The float32 master weights under their Hugging Face names (an unmodifiable view). */
    public Map<String, NDArray> parameters() {
        return parameters;
    }

    /**
     * A view of the weights as this model stores them, for a forward pass that reads them directly: the float32
     * masters of a policy, or a frozen reference in its compute type. A policy trained in float16 is read through
     * its workers' views instead.
     */
    public Weights weights() {
        Weights named = name -> {
            NDArray weight = parameters.get(name);
            if (weight == null) {
                throw new IllegalStateException("model has no weight named '" + name + "'");
            }
            return weight;
        };
        return stacks.isEmpty() ? named : new FusedProjections(named, stacks);
    }

    /** The kernels its attention, norms and casts run on. */
    public Kernels kernels() {
        return kernels;
    }

    /**
     * This model computing with {@code kernels}: the same weights and manager (closing either closes both), so a
     * loaded model can take the kernels a run chose.
     */
    public CausalLm withKernels(Kernels other) {
        return other == kernels ? this : new CausalLm(config, parameters, manager, other, stacks);
    }

    /** The manager that owns the weights. */
    public NDManager manager() {
        return manager;
    }

    /** Number of trainable scalars. */
    public long parameterCount() {
        return parameters.values().stream().mapToLong(a -> a.getShape().size()).sum();
    }

    /**
     * A frozen copy of this model (the DPO reference) stored in {@code storageType} (float16 halves its memory), with
     * its own manager on the same device.
     */
    public CausalLm frozenCopy(DataType storageType) {
        return frozenCopyOn(manager.getParentManager().newSubManager(), storageType);
    }

    /**
     * A frozen copy of this model in {@code storageType} on the device of {@code target}, which owns its weights
     * and is closed with it: the reference of another data-parallel device. Weights are cast before they travel, and
     * each layer's {@link #stackedProjections} are stacked ({@link FusedProjections}), so q/k/v and gate/up run as one
     * matmul each.
     */
    public CausalLm frozenCopyOn(NDManager target, DataType storageType) {
        return new CausalLm(config, DeviceArrays.frozenCopies(parameters, storageType, target, kernels), target,
                kernels).stackedInPlace();
    }

    /**
     * This model with each layer's {@link #stackedProjections} stacked in place ({@link FusedProjections}): the same
     * weights, each member now a view of its stack, so q/k/v and gate/up run as one matmul each. For frozen weights
     * only (a LoRA base): a view cannot be a leaf that collects gradients. This model's own lookups see the views too.
     */
    public CausalLm stackedInPlace() {
        if (!stacks.isEmpty()) {
            return this;
        }
        Map<String, NDArray> arrays = new LinkedHashMap<>(parameters);
        return new CausalLm(config, arrays, manager, kernels,
                FusedProjections.stackInPlace(arrays, stackedProjections(config)));
    }

    /** Frees the weights. */
    @Override
    public void close() {
        manager.close();
    }
}
