package dev.dpo4j.core.kernels;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import java.util.List;

/**
 * The compute kernels training runs on: attention, RMSNorm, the AdamW update and casts between float types. The model, the
 * optimizer and the float16 copies call these and nothing else for that work. {@link #djl()} is the pure-DJL
 * implementation, {@link #torchScript()} the fused one (flash attention, fused AdamW, bfloat16), {@link #auto()}
 * the fused one wherever it loads.
 */
public interface Kernels {

    /** A short name for logs, such as {@code djl}. */
    String name();

    /**
     * Causal self-attention with grouped-query heads: {@code softmax(q k^T / sqrt(head_dim) + mask) v}, keeping the
     * autograd graph.
     *
     * @param query rotated queries {@code (batch, heads, length, head_dim)}
     * @param key rotated keys {@code (batch, kv_heads, length, head_dim)}; {@code heads} is a multiple of
     *     {@code kv_heads}, and query head {@code h} attends with key/value head {@code h / (heads / kv_heads)}
     * @param value values {@code (batch, kv_heads, length, head_dim)}
     * @param mask the keys each query may see
     * @return {@code (batch, heads, length, head_dim)}
     */
    NDArray attention(NDArray query, NDArray key, NDArray value, AttentionMask mask);

    /**
     * The attention heads of projected queries, keys and values, each {@code (batch, length, count * head_dim)}: split
     * into {@code (batch, count, length, head_dim)}, queries and keys first normed per head when {@code norms} are
     * given (Qwen3), then rotated by the rotary tables in Hugging Face's rotate-half layout, keeping the graph.
     *
     * @param rope cosine and sine tables, {@code (length, head_dim)} or {@code (batch, 1, length, head_dim)}
     * @param norms the per-head norms of queries and keys, or null
     * @return the rotated queries, the rotated keys and the values
     */
    NDList rotaryHeads(NDArray query, NDArray key, NDArray value, NDList rope, HeadNorms norms);

    /**
     * Per-head RMSNorms of queries and keys (Qwen3's {@code q_norm} and {@code k_norm}).
     *
     * @param query the queries' scale vector {@code (head_dim)}
     * @param key the keys' scale vector {@code (head_dim)}
     * @param eps added to the mean square
     */
    record HeadNorms(NDArray query, NDArray key, double eps) {
    }

    /**
     * Whether {@link #attention} reads only the views of a mask that has them, so the per-row additive mask of a
     * shared prompt need not be built (false: it reads the additive mask).
     */
    default boolean readsViews() {
        return false;
    }

    /**
     * One AdamW update of a flat parameter buffer in place, numerically as {@code torch.optim.AdamW}: every
     * gradient is first multiplied by {@code step.gradientScale()}, then
     * {@code w -= lr*wd*w; m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; w -= lr * m_hat / (sqrt(v_hat) + eps)}.
     *
     * @param weight the float32 weights, updated in place
     * @param gradient their float32 gradients (the fused kernel leaves them multiplied by the scale)
     * @param mean the first moments, updated in place
     * @param variance the second moments, updated in place
     */
    void adamW(NDArray weight, NDArray gradient, NDArray mean, NDArray variance, AdamWStep step);

    /**
     * As {@link #adamW(NDArray, NDArray, NDArray, NDArray, AdamWStep)}, the gradient's divisor and the overflow check
     * on the device, as {@code _fused_adamw_} takes them ({@code grad_scale}, {@code found_inf}): every gradient is
     * divided by {@code gradientDivisor} first, and nothing changes where {@code foundInf} is nonzero (a gradient was
     * inf or NaN), so the step needs no read of the gradient norm before it is queued. Both are 0-d float32 arrays on
     * the buffer's device; {@code step.gradientScale()} is not read. By default both are read back and the update
     * runs or not on the host.
     */
    default void adamW(NDArray weight, NDArray gradient, NDArray mean, NDArray variance, AdamWStep step,
            NDArray gradientDivisor, NDArray foundInf) {
        if (foundInf.getFloat() == 0f) {
            adamW(weight, gradient, mean, variance, new AdamWStep(step.learningRate(), step.weightDecay(),
                    step.beta1(), step.beta2(), step.epsilon(), step.step(), 1.0 / gradientDivisor.getFloat()));
        }
    }

    /**
     * RMSNorm over the last axis, as Hugging Face's {@code LlamaRMSNorm}: statistics in float32,
     * {@code weight * (x / sqrt(mean(x^2) + eps))}, the result in the type of {@code x}, keeping the graph.
     */
    NDArray rmsNorm(NDArray x, NDArray weight, double eps);

    /**
     * The SwiGLU gate of the Llama MLP, {@code silu(gate) * up}, keeping the graph; one fused {@code silu} keeps
     * fewer intermediates for backward than {@code gate * sigmoid(gate) * up} as three operations.
     */
    NDArray swiglu(NDArray gate, NDArray up);

    /**
     * {@code targets[i] = sources[i]} in place, each converted to its target's type, outside autograd: refreshing
     * half-precision copies from their float32 masters (one call for all of them with the TorchScript kernels).
     */
    void copyInto(List<NDArray> targets, List<NDArray> sources);

    /**
     * {@code sums[i] += addends[i]} in place, each converted to its sum's type, then the addends set to zero (inf
     * and NaN included), outside autograd: moving micro-batch gradients into float32 accumulators.
     */
    void drainInto(List<NDArray> sums, List<NDArray> addends);

    /** A new array with the values of {@code array} in {@code type}, on its device and in its manager. */
    NDArray cast(NDArray array, DataType type);

    /** Score elements one query chunk of the DJL attention may hold: 128 Mi, a quarter GiB in float16. */
    long MAX_SCORE_ELEMENTS = 1L << 27;

    /** Elements one native AdamW call of the DJL kernels updates: 64 Mi, so its temporaries stay near a GiB. */
    long UPDATE_SLICE = 1L << 26;


    /** The pure-DJL kernels. */
    static Kernels djl() {
        return DjlKernels.INSTANCE;
    }

    /**
     * The TorchScript kernels (fused attention, fused AdamW, casts that keep the graph and reach bfloat16), loaded
     * into libtorch once per JVM.
     *
     * @throws KernelsException when libtorch refuses them; the message names the line of the method's source
     */
    static Kernels torchScript() {
        return KernelChoice.torchScript();
    }

    /** The TorchScript kernels when they load here (logged once), else the pure-DJL ones (with the reason, once). */
    static Kernels auto() {
        return KernelChoice.auto();
    }

    /**
     * The kernels an option names: {@code auto}, {@code torchscript} or {@code djl}.
     *
     * @throws IllegalArgumentException naming the option {@code kernels} and its choices for any other name
     */
    static Kernels named(String name) {
        return KernelChoice.named(name);
    }

    /** The names {@link #named} takes: {@code auto}, {@code torchscript} and {@code djl}. */
    static List<String> names() {
        return KernelChoice.names();
    }

    /**
     * The pure-DJL kernels with other bounds on their temporaries: attention in query chunks of at most
     * {@code maxScoreElements} scores, AdamW in slices of {@code updateSlice} elements (for tight memory, and for
     * tests that make every cut).
     */
    static Kernels djl(long maxScoreElements, long updateSlice) {
        return new DjlKernels(maxScoreElements, updateSlice);
    }

    /**
     * The numbers of one AdamW step.
     *
     * @param learningRate this step's rate
     * @param weightDecay decoupled decay of this buffer's weights (0 for biases and norms)
     * @param beta1 the first moment's decay
     * @param beta2 the second moment's decay
     * @param epsilon added to the root of the second moment
     * @param step the step number, from 1, for the bias corrections
     * @param gradientScale the factor every gradient is multiplied by first (unscaling and clipping)
     */
    record AdamWStep(double learningRate, double weightDecay, double beta1, double beta2, double epsilon, long step,
            double gradientScale) {
    }
}
