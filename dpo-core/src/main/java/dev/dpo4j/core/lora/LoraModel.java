package dev.dpo4j.core.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.dpo4j.core.checkpoint.AtomicFolder;
import dev.dpo4j.core.checkpoint.CheckpointException;
import dev.dpo4j.core.checkpoint.ModelFolder;
import dev.dpo4j.core.checkpoint.SaveDtype;
import dev.dpo4j.core.kernels.InPlace;
import dev.dpo4j.core.kernels.Kernels;
import dev.dpo4j.core.model.CausalLm;
import dev.dpo4j.core.placement.DeviceWeights;
import dev.dpo4j.core.reference.ReferenceContent;
import dev.dpo4j.core.reference.ReferenceLogps;
import dev.dpo4j.core.trained.TrainedModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * LoRA as what is trained: float32 adapters on the policy's frozen base, which is kept in the compute type only. The
 * reference is the base with the adapters off, or with a frozen copy of the adapter training continued from (TRL's
 * "ref" adapter); checkpoints and the saved model are PEFT adapter folders, with the merged model beside them on
 * request ({@code merge_adapters}).
 */
public final class LoraModel implements TrainedModel {

    private static final Logger LOG = LoggerFactory.getLogger(LoraModel.class);

    private final CausalLm base;
    private final boolean ownsBase;
    private final LoraAdapters adapters;
    private final LoraAdapters referenceAdapters;
    private final double dropout;
    private final Setup setup;

    /**
     * How a run sets up its adapters.
     *
     * @param options the run's LoRA options (an adapter folder's own file overrides those of the adapter itself)
     * @param seed the seed of new adapters' initialization
     * @param baseName what saved adapters name as their base ({@code base_model_name_or_path}); may be null
     * @param gradientCheckpointing the run's {@code gradient_checkpointing} (null: auto), which dropout rules out
     * @param computeType the type the base is stored and run in
     * @param kernels the casts of the frozen copies
     */
    public record Setup(LoraOptions options, long seed, String baseName, Boolean gradientCheckpointing,
            DataType computeType, Kernels kernels) {
    }

    private LoraModel(CausalLm base, boolean ownsBase, LoraAdapters adapters, LoraAdapters referenceAdapters,
            double dropout, Setup setup) {
        this.base = base;
        this.ownsBase = ownsBase;
        this.adapters = adapters;
        this.referenceAdapters = referenceAdapters;
        this.dropout = dropout;
        this.setup = setup;
    }

    /**
     * Adapters on {@code base}: new ones as {@code setup}'s options say, or those of {@code adapterFolder}, whose
     * frozen copy becomes the reference's when {@code adapterIsReference}.
     *
     * @param base the frozen base in the compute type ({@link #frozenBase}); closed with the model when
     *     {@code ownsBase}, and on failure
     * @param adapterFolder a PEFT adapter folder to continue; null for new adapters
     * @param adapterIsReference whether the loss needs a reference that no other model provides
     * @param manager the run's manager on the first device, where the adapters' float32 masters live
     * @throws IllegalArgumentException when the adapters have dropout and layers may be recomputed
     */
    public static LoraModel load(CausalLm base, boolean ownsBase, Path adapterFolder, boolean adapterIsReference,
            Setup setup, NDManager manager) {
        try {
            LoraAdapters adapters = adapterFolder == null
                    ? LoraAdapters.initialize(base.config(), setup.options(), manager, setup.seed())
                    : LoraAdapters.load(adapterFolder, base.config(), manager);
            if (adapterFolder != null) {
                LOG.info("continuing the LoRA adapter in {} (r {}, lora_alpha {}, target_modules {}): its {} sets "
                        + "the adapter's options", adapterFolder, adapters.options().loraR(),
                        adapters.options().loraAlpha(), adapters.options().loraTargetModules(), AdapterFolder.CONFIG);
            }
            double dropout = setup.options().disableDropout() ? 0 : adapters.options().loraDropout();
            if (dropout > 0 && !Boolean.FALSE.equals(setup.gradientCheckpointing())) {
                adapters.close();
                throw new IllegalArgumentException("lora_dropout " + dropout + " with disable_dropout false needs "
                        + "gradient_checkpointing false: a recomputed layer would draw other dropout masks than the "
                        + "forward pass used");
            }
            LoraAdapters reference = adapterFolder != null && adapterIsReference
                    ? adapters.frozenCopyOn(manager.newSubManager(), setup.computeType(), setup.kernels()) : null;
            LOG.info("LoRA: {} adapted linear layers, {} trainable parameters on a frozen base of {}",
                    adapters.modules().size(), adapters.parameterCount(), base.parameterCount());
            return new LoraModel(base, ownsBase, adapters, reference, dropout, setup);
        } catch (RuntimeException e) {
            if (ownsBase) {
                base.close();
            }
            throw e;
        }
    }

    /**
     * The frozen base of a model given in memory: the model itself when it is stored in {@code computeType} already,
     * else a copy in it (which the caller owns).
     */
    public static CausalLm frozenBase(CausalLm given, DataType computeType) {
        return storedIn(given, computeType) ? given : given.frozenCopy(computeType);
    }

    /** Whether the model's weights are stored in {@code type} (DJL reports TorchScript's bfloat16 as UNKNOWN). */
    private static boolean storedIn(CausalLm model, DataType type) {
        DataType stored = model.parameters().values().iterator().next().getDataType();
        return stored == type || type == DataType.BFLOAT16 && stored == DataType.UNKNOWN;
    }

    /** The frozen base in the compute type, which the adapters train on. */
    @Override
    public CausalLm policy() {
        return base;
    }

    /** The adapters' {@code A} and {@code B} matrices. */
    @Override
    public Map<String, NDArray> trained() {
        return adapters.parameters();
    }

    /** None: each adapted module keeps its own projection. */
    @Override
    public List<List<String>> stackedGroups() {
        return List.of();
    }

    /**
     * The base plus the adapters read through {@code copies}: the first device's base itself, a frozen copy of it
     * (and of the reference adapters) on any other.
     */
    @Override
    public DeviceWeights onDevice(DeviceWeights copies, NDManager manager, boolean first) {
        if (first) {
            return new AdapterWeights(base, false, copies, adapters, referenceAdapters, dropout);
        }
        return new AdapterWeights(base.frozenCopyOn(manager.newSubManager(), setup.computeType()), true, copies,
                adapters, referenceAdapters == null ? null : referenceAdapters.frozenCopyOn(manager.newSubManager(),
                        setup.computeType(), setup.kernels()), dropout);
    }

    /** The base with the adapters off, or with the adapter training started from. */
    @Override
    public ReferenceLogps ownReference(DataType computeType, NDManager manager) {
        if (referenceAdapters == null) {
            return ReferenceLogps.partOfPolicy(base, base.weights(), computeType);
        }
        Map<String, NDArray> read = new LinkedHashMap<>(base.parameters());
        read.putAll(referenceAdapters.parameters());
        ReferenceContent content = new ReferenceContent(base.config().json() + " lora scaling "
                + referenceAdapters.scaling(), read);
        return ReferenceLogps.partOfPolicy(base, referenceAdapters.over(base.weights()), computeType, content);
    }

    @Override
    public AtomicFolder.Writer checkpointFiles(Path tokenizerFiles) {
        return tmp -> writeAdapter(tmp, tokenizerFiles);
    }

    private void writeAdapter(Path tmp, Path tokenizerFiles) throws IOException {
        AdapterFolder.writeFiles(tmp, adapters, setup.baseName());
        ModelFolder.copyTokenizerFiles(tokenizerFiles, tmp);
    }

    /** Reads the checkpoint's adapter folder into the adapters, which must have the same modules and rank. */
    @Override
    public void restore(Path checkpoint, NDManager manager) {
        if (!AdapterFolder.isAdapter(checkpoint)) {
            throw new CheckpointException(checkpoint + ": holds no " + AdapterFolder.CONFIG + "; it was written by a "
                    + "run without use_peft, so it cannot resume LoRA training");
        }
        try (LoraAdapters saved = LoraAdapters.load(checkpoint, base.config(), manager)) {
            if (!saved.modules().equals(adapters.modules()) || saved.options().loraR() != adapters.options().loraR()) {
                throw new CheckpointException(checkpoint + ": its adapter (r " + saved.options().loraR() + ", "
                        + saved.modules().size() + " layers) differs from this run's (r " + adapters.options().loraR()
                        + ", " + adapters.modules().size() + " layers); resume with the same LoRA options");
            }
            saved.parameters().forEach((name, weight) -> InPlace.assign(adapters.parameters().get(name), weight));
        }
    }

    /** The float32 adapters, and with {@code merge_adapters} the merged model in {@code dtype}. */
    @Override
    public long savedBytes(SaveDtype dtype) {
        long merged = !setup.options().mergeAdapters() ? 0
                : base.parameterCount() * (dtype.resolve(base.config().json()) == SaveDtype.FLOAT32 ? 4 : 2);
        return Float.BYTES * adapters.parameterCount() + merged;
    }

    /**
     * Saves the adapter folder (float32, as PEFT keeps adapters) and, with {@code merge_adapters}, the merged model
     * under {@code folder/merged} in {@code dtype}. Merging adds into the base in place, so it is the run's last use
     * of the base (a model given in memory is merged into a copy).
     */
    @Override
    public void save(Path folder, Path tokenizerFiles, SaveDtype dtype) throws IOException {
        AtomicFolder.write(folder, tmp -> writeAdapter(tmp, tokenizerFiles));
        if (!setup.options().mergeAdapters()) {
            return;
        }
        CausalLm merged = ownsBase ? base : base.frozenCopy(DataType.FLOAT32);
        try {
            adapters.mergeInto(merged);
            ModelFolder.save(merged, folder.resolve(LoraOptions.MERGED_FOLDER), tokenizerFiles, dtype);
        } finally {
            if (merged != base) {
                merged.close();
            }
        }
    }

    /** Frees the adapters, the reference adapters and, when the run owns it, the base. */
    @Override
    public void close() {
        adapters.close();
        if (referenceAdapters != null) {
            referenceAdapters.close();
        }
        if (ownsBase) {
            base.close();
        }
    }
}
