package dev.dpo4j.core.kernels;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The kernels as TorchScript methods run by stock DJL: attention through {@code scaled_dot_product_attention} (flash
 * or memory-efficient attention on GPUs, no query chunks), the AdamW update through {@code _fused_adamw_}, and casts
 * that keep the autograd graph (bfloat16 included). The methods are the reviewed text of {@value #SOURCE}, compiled
 * by libtorch when the archive loads.
 *
 * <p>Methods that must record a graph run through DJL's public {@code PtSymbolBlock.forward} route with training on
 * (the method is chosen by a marker array named {@code module_method:NAME}); the in-place optimizer update, which
 * needs numbers and tensor lists, through {@code IValueUtils.runMethod}.
 */
final class TorchScriptKernels implements Kernels {

    /** The resource, next to this class, that holds the methods. */
    static final String SOURCE = "kernels.py";

    /** The version {@link #SOURCE} declares in its {@code version} method. */
    static final long VERSION = 8;

    private static final String CLASS_NAME = "Kernels";

    /** The first call of a method on a thread: the profiling executor's warm-up calls cost milliseconds. */
    private static final ThreadLocal<Boolean> OPTIMIZER_OFF = ThreadLocal.withInitial(() -> {
        JniUtils.setGraphExecutorOptimize(false);
        return true;
    });

    private final NDManager owner;
    private final PtSymbolBlock module;
    private final ParameterStore noParameters;
    private final Map<String, NDArray> markers = new ConcurrentHashMap<>();
    private final Map<Double, NDArray> epsilons = new ConcurrentHashMap<>();
    private final Map<Integer, NDArray> windows = new ConcurrentHashMap<>();

    private TorchScriptKernels(NDManager owner, PtSymbolBlock module) {
        this.owner = owner;
        this.module = module;
        this.noParameters = new ParameterStore(owner, false);
    }

    /**
     * Loads the methods into libtorch.
     *
     * @throws KernelsException when the engine is not PyTorch or libtorch refuses the code (its message names the
     *     line of {@value #SOURCE})
     */
    static TorchScriptKernels load() {
        return load(TorchScriptArchive.resource(SOURCE));
    }

    /** Loads {@code code} as if it were the text of {@value #SOURCE}. */
    static TorchScriptKernels load(String code) {
        Engine engine = Engine.getEngine("PyTorch");
        NDManager owner = engine.newBaseManager(Device.cpu());
        byte[] archive = TorchScriptArchive.of("kernels", CLASS_NAME, code);
        try (InputStream in = new ByteArrayInputStream(archive)) {
            PtSymbolBlock module = JniUtils.loadModule((PtNDManager) owner, in, true, false);
            TorchScriptKernels kernels = new TorchScriptKernels(owner, module);
            kernels.checkVersion();
            return kernels;
        } catch (IOException | RuntimeException e) {
            owner.close();
            throw new KernelsException("libtorch " + engine.getVersion() + " refused the TorchScript kernels of "
                    + TorchScriptArchive.resourcePath(SOURCE) + " (line numbers below are lines of that file): "
                    + e.getMessage(), e);
        }
    }

    private void checkVersion() {
        try (IValue version = IValueUtils.runMethod(module, "version")) {
            long declared = version.toLong();
            if (declared != VERSION) {
                throw new IllegalStateException("it declares version " + declared + ", the Java side expects "
                        + VERSION);
            }
        }
    }

    @Override
    public String name() {
        return "torchscript";
    }

    /** Rows that share a prompt attend through their views alone. */
    @Override
    public boolean readsViews() {
        return true;
    }

    /**
     * Plain causal masks use the kernels' built-in causal mode with grouped-query heads, and so do rows that share a
     * prompt: as packed sequences through flash attention's varlen kernel in half precision on a GPU, else as causal
     * attention over their views; other masks go to the kernel as {@code (length, length)} or
     * {@code (batch, 1, length, length)}.
     */
    @Override
    public NDArray attention(NDArray query, NDArray key, NDArray value, AttentionMask mask) {
        AttentionMask.Views views = mask.views();
        if (views != null && views.packed() != null && flashVarlen(query)
                && views.packed().longest().getShape().get(1) <= PACKED_MAX_KEYS) {
            AttentionMask.Packed packed = views.packed();
            return packed.window() == 0
                    ? call("attention_packed", query, key, value, packed.keyTokens(), packed.starts(),
                            packed.longest())
                    : call("attention_packed_windowed", query, key, value, packed.keyTokens(), packed.starts(),
                            packed.longest(), windows.computeIfAbsent(packed.window(), w -> owner.create((long) w)));
        }
        if (views != null) {
            return views.window() == null
                    ? call("attention_views", query, key, value, views.tokens(), views.sources())
                    : call("attention_views_masked", query, key, value, views.tokens(), views.sources(),
                            views.window());
        }
        if (mask.causal()) {
            return call("attention_causal", query, key, value);
        }
        NDArray additive = mask.additive();
        if (mask.perSequence()) {
            Shape shape = additive.getShape();
            additive = additive.reshape(shape.get(0), 1, shape.get(1), shape.get(2));
        }
        return call("attention_masked", query, key, value, additive);
    }

    /**
     * The longest key sequence for which shared rows attend as packed sequences (flash attention's varlen kernel);
     * longer ones attend over their views through {@code scaled_dot_product_attention}, whose cuDNN kernel is the
     * faster one there. On an H200 (2026-12-01, bfloat16, forward and backward, Qwen2.5-0.5B and Llama-1B heads,
     * {@code bench/micro/attention_paths.py}, {@code BENCHMARKS.md}) packing took 2-34% less time than the views with
     * views of 512 to 2048 tokens, and 10-21% more from 4096 on.
     */
    static final long PACKED_MAX_KEYS = 3072;

    /** Whether flash attention's varlen kernel takes these queries: half precision on a GPU. */
    private static boolean flashVarlen(NDArray query) {
        return query.getDevice().isGpu() && query.getDataType() != DataType.FLOAT32;
    }

    /** One call: heads, the per-head norms when given ({@code rms_norm}), and the rotation of queries and keys. */
    @Override
    public NDList rotaryHeads(NDArray query, NDArray key, NDArray value, NDList rope, HeadNorms norms) {
        return norms == null ? callAll("rotary_heads", query, key, value, rope.get(0), rope.get(1))
                : callAll("rotary_heads_normed", query, key, value, rope.get(0), rope.get(1), norms.query(),
                        norms.key(), epsilon(norms.eps()));
    }

    private NDArray epsilon(double eps) {
        return epsilons.computeIfAbsent(eps, e -> owner.create(e.floatValue()));
    }

    /**
     * libtorch's fused {@code rms_norm} (statistics in float32): one call instead of the eight operations of
     * {@code weight * (x.float() * rsqrt(mean(x.float()^2) + eps)).to(x.dtype)}. The epsilon travels as a 0-d CPU
     * tensor.
     */
    @Override
    public NDArray rmsNorm(NDArray x, NDArray weight, double eps) {
        return call("rms_norm", x, weight, epsilon(eps));
    }

    @Override
    public NDArray swiglu(NDArray gate, NDArray up) {
        return call("swiglu", gate, up);
    }

    /** {@code _fused_adamw_} on the buffer, the gradient divided by {@code 1 / gradientScale} first. */
    @Override
    public void adamW(NDArray weight, NDArray gradient, NDArray mean, NDArray variance, AdamWStep step) {
        runAdamW("adamw", weight, gradient, mean, variance, step, IValue.from(1 / step.gradientScale()));
    }

    /** {@code _fused_adamw_} with its {@code grad_scale} and {@code found_inf} tensors: nothing is read back. */
    @Override
    public void adamW(NDArray weight, NDArray gradient, NDArray mean, NDArray variance, AdamWStep step,
            NDArray gradientDivisor, NDArray foundInf) {
        runAdamW("adamw_checked", weight, gradient, mean, variance, step, IValue.from((PtNDArray) gradientDivisor),
                IValue.from((PtNDArray) foundInf));
    }

    private void runAdamW(String method, NDArray weight, NDArray gradient, NDArray mean, NDArray variance,
            AdamWStep step, IValue... scaling) {
        OPTIMIZER_OFF.get();
        IValue[] numbers = {list(weight), list(gradient), list(mean), list(variance),
            IValue.from(step.learningRate()), IValue.from(step.beta1()), IValue.from(step.beta2()),
            IValue.from(step.weightDecay()), IValue.from(step.epsilon()), IValue.from((double) step.step())};
        IValue[] inputs = java.util.Arrays.copyOf(numbers, numbers.length + scaling.length);
        System.arraycopy(scaling, 0, inputs, numbers.length, scaling.length);
        try {
            IValueUtils.runMethod(module, method, inputs).close();
        } finally {
            for (IValue input : inputs) {
                input.close();
            }
        }
    }

    /** {@code _foreach_copy_}: one call for every target. */
    @Override
    public void copyInto(List<NDArray> targets, List<NDArray> sources) {
        runInPlace("copy_into", targets, sources);
    }

    /** {@code _foreach_add_} then {@code _foreach_zero_}: one call for every sum. */
    @Override
    public void drainInto(List<NDArray> sums, List<NDArray> addends) {
        runInPlace("drain_into", sums, addends);
    }

    /** Runs a method of two tensor lists that works in place, without autograd. */
    private void runInPlace(String method, List<NDArray> first, List<NDArray> second) {
        if (first.isEmpty()) {
            return;
        }
        OPTIMIZER_OFF.get();
        IValue[] inputs = {list(first), list(second)};
        try {
            IValueUtils.runMethod(module, method, inputs).close();
        } finally {
            for (IValue input : inputs) {
                input.close();
            }
        }
    }

    private static IValue list(List<NDArray> arrays) {
        return IValue.listFrom(arrays.stream().map(PtNDArray.class::cast).toArray(PtNDArray[]::new));
    }

    /** Float16, float32 and bfloat16 through TorchScript, keeping the graph; other types through DJL. */
    @Override
    public NDArray cast(NDArray array, DataType type) {
        return switch (type) {
            case FLOAT16 -> call("to_float16", array);
            case FLOAT32 -> call("to_float32", array);
            case BFLOAT16 -> call("to_bfloat16", array);
            default -> array.toType(type, true);
        };
    }

    private static IValue list(NDArray array) {
        return IValue.listFrom((PtNDArray) array);
    }

    /**
     * Runs a method with autograd on. Its result joins the manager of the first input. DJL's route reads array names
     * as list and dictionary keys, so named inputs lose their names for the call.
     */
    private NDArray call(String method, NDArray... inputs) {
        return callAll(method, inputs).singletonOrThrow();
    }

    /** As {@link #call}, for a method that returns several tensors (a tuple). */
    private NDList callAll(String method, NDArray... inputs) {
        OPTIMIZER_OFF.get();
        String[] names = new String[inputs.length];
        NDList list = new NDList(inputs.length + 1);
        for (int i = 0; i < inputs.length; i++) {
            names[i] = inputs[i].getName();
            if (names[i] != null) {
                inputs[i].setName(null);
            }
            list.add(inputs[i]);
        }
        list.add(marker(method));
        try {
            return module.forward(noParameters, list, true);
        } finally {
            for (int i = 0; i < inputs.length; i++) {
                if (names[i] != null) {
                    inputs[i].setName(names[i]);
                }
            }
        }
    }

    private NDArray marker(String method) {
        return markers.computeIfAbsent(method, name -> {
            NDArray marker = owner.zeros(new Shape(1));
            marker.setName("module_method:" + name);
            return marker;
        });
    }
}
