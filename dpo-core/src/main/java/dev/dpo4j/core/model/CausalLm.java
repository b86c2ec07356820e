package dev.dpo4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
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
 * runs in float32 or float16. It is the architecture and its pieces (embedding, {@link #layer}, final norm, LM head,
 * rotary tables); the pass that runs them over a batch is {@code scoring}'s.
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
     * The rotary tables of a forward pass over sequences of {@code length} tokens, in the compute type, in
     * {@code arrays}.
     */
    public NDList rotaryTables(NDManager arrays, int length, DataType computeType) {
        return inComputeType(rotary.tables(arrays, length, DataType.FLOAT32), computeType);
    }

    /**
     * The rotary tables of a forward pass whose tokens stand at {@code positions} ({@code (batch, length)} int64, each
     * below {@code length}), in the compute type, in {@code arrays}; the intermediates are freed at once.
     */
    public NDList rotaryTables(NDManager arrays, NDArray positions, DataType computeType) {
        try (NDManager scratch = arrays.newSubManager()) {
            positions.tempAttach(scratch);
            NDList rope = inComputeType(rotary.tables(scratch, positions, DataType.FLOAT32), computeType);
            rope.attach(arrays);
            return rope;
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
