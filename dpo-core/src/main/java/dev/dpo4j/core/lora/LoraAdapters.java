package dev.dpo4j.core.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.dpo4j.core.kernels.Autograd;
import dev.dpo4j.core.kernels.Kernels;
import dev.dpo4j.core.model.CausalLm;
import dev.dpo4j.core.model.DeviceArrays;
import dev.dpo4j.core.model.ModelConfig;
import dev.dpo4j.core.model.Weights;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The LoRA adapters of one model: for every targeted linear layer an {@code A} matrix {@code (r, in)} and a {@code B}
 * matrix {@code (out, r)}, held under a manager of their own, with the options they were made with. The trainer
 * keeps float32 masters here and trains them; a frozen copy in the compute type serves as the reference when training
 * continues from an existing adapter.
 */
public final class LoraAdapters implements AutoCloseable {

    private final LoraOptions options;
    private final List<LoraModule> modules;
    private final Map<String, LoraModule> byModule = new LinkedHashMap<>();
    private final Map<String, NDArray> parameters;
    private final NDManager manager;
    private NDArray scale;

    LoraAdapters(LoraOptions options, List<LoraModule> modules, Map<String, NDArray> parameters, NDManager manager) {
        this.options = options;
        this.modules = List.copyOf(modules);
        this.parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
        this.manager = manager;
        modules.forEach(m -> byModule.put(m.name(), m));
    }

    /**
     * New adapters on the target modules of {@code options}, initialized as PEFT's default: {@code A} uniform in
     * {@code +-1/sqrt(in)} (Kaiming-uniform with {@code a = sqrt(5)}), {@code B} zero, so training starts from the
     * base model itself. Seeded per tensor, so the same seed gives the same adapters on any device.
     *
     * @param parent the manager whose device the float32 masters live on; the adapters own a sub-manager of it
     */
    public static LoraAdapters initialize(ModelConfig config, LoraOptions options, NDManager parent, long seed) {
        List<LoraModule> modules = LoraModule.resolve(config, options.loraTargetModules());
        NDManager manager = parent.newSubManager();
        Map<String, NDArray> parameters = new LinkedHashMap<>();
        int r = options.loraR();
        for (LoraModule module : modules) {
            parameters.put(module.aName(), manager.create(uniform(module.aName(), seed, r * module.inFeatures(),
                    1 / Math.sqrt(module.inFeatures())), new Shape(r, module.inFeatures())));
            parameters.put(module.bName(), manager.zeros(new Shape(module.outFeatures(), r), DataType.FLOAT32));
        }
        return new LoraAdapters(options, modules, parameters, manager);
    }

    private static float[] uniform(String name, long seed, long count, double bound) {
        SplittableRandom random = new SplittableRandom(seed * 1_000_003L + name.hashCode());
        float[] values = new float[Math.toIntExact(count)];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
        }
        return values;
    }

    /**
     * Reads a PEFT LoRA adapter folder ({@code adapter_config.json}, {@code adapter_model.safetensors}) made for a
     * model of {@code config}, as float32 masters under a sub-manager of {@code parent}.
     *
     * @throws dev.dpo4j.core.checkpoint.CheckpointException naming the file, field or tensor that is wrong
     */
    public static LoraAdapters load(Path folder, ModelConfig config, NDManager parent) {
        return AdapterFolder.read(folder, config, parent);
    }

    /**
     * Writes the adapters into {@code folder} in PEFT's layout, through a temporary folder, so that
     * {@code PeftModel.from_pretrained(base, folder)} loads them.
     *
     * @param baseModelNameOrPath what {@code adapter_config.json} names as the base (may be null)
     */
    public void save(Path folder, String baseModelNameOrPath) throws IOException {
        AdapterFolder.write(folder, this, baseModelNameOrPath);
    }

    /** The options, {@code lora_target_modules} as given (or as the adapter's file names them). */
    public LoraOptions options() {
        return options;
    }

    /** The adapted linear layers, in the model's order. */
    public List<LoraModule> modules() {
        return modules;
    }

    /** Every {@code A} and {@code B} matrix by name ({@link LoraModule#aName()}), in the model's order. */
    public Map<String, NDArray> parameters() {
        return parameters;
    }

    /** Number of trainable scalars. */
    public long parameterCount() {
        return parameters.values().stream().mapToLong(a -> a.getShape().size()).sum();
    }

    /** The factor the update is scaled by: {@code alpha / r}, or {@code alpha / sqrt(r)} with {@code use_rslora}. */
    public double scaling() {
        return options.scaling();
    }

    /** The base's weights with these adapters added, for a pass without dropout (evaluation, scoring). */
    public Weights over(Weights base) {
        if (scale == null) {
            scale = manager.create((float) scaling());
        }
        return view(base, this::get, scale, 0);
    }

    /**
     * The base's weights with adapters read through {@code adapters} (such as a worker's half-precision copies of
     * these), {@code scale} a 0-d float32 array on their device ({@link #scaleOn(NDManager)}).
     */
    public Weights view(Weights base, Weights adapters, NDArray scale, double dropout) {
        return new LoraWeights(base, adapters, byModule, scale, dropout);
    }

    /** The 0-d float32 scale factor, made in {@code arrays}. */
    public NDArray scaleOn(NDManager arrays) {
        return arrays.create((float) scaling());
    }

    private NDArray get(String name) {
        NDArray weight = parameters.get(name);
        if (weight == null) {
            throw new IllegalStateException("adapters have no matrix named '" + name + "'");
        }
        return weight;
    }

    /**
     * A frozen copy in {@code type} on the device of {@code target}, which owns it (and is closed with it): the
     * reference adapter when training continues from an existing one.
     */
    public LoraAdapters frozenCopyOn(NDManager target, DataType type, Kernels kernels) {
        return new LoraAdapters(options, modules, DeviceArrays.frozenCopies(parameters, type, target, kernels), target);
    }

    /**
     * Adds the adapters' update into {@code base}'s weights in place, {@code W += scale * B A} computed in float32 and
     * rounded once into the weight's type, as PEFT's {@code merge_and_unload}; the base then is the merged model.
     */
    public void mergeInto(CausalLm base) {
        for (LoraModule module : modules) {
            NDArray weight = base.parameters().get(Weights.weightOf(module.name()));
            try (NDManager scratch = manager.newSubManager(weight.getDevice()); Autograd paused = Autograd.pause()) {
                NDArray a = get(module.aName()).toDevice(weight.getDevice(), true);
                NDArray b = get(module.bName()).toDevice(weight.getDevice(), true);
                a.attach(scratch);
                b.attach(scratch);
                NDArray delta = b.matMul(a).muli((float) scaling());
                weight.addi(weight.getDataType() == DataType.FLOAT16 ? delta.toType(DataType.FLOAT16, false) : delta);
            }
        }
    }

    /** Frees the matrices. */
    @Override
    public void close() {
        manager.close();
    }
}
