package dev.dpo4j.core.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import dev.dpo4j.api.data.PreferenceExample;
import dev.dpo4j.api.loss.LossFunction;
import dev.dpo4j.api.template.PromptTemplate;
import dev.dpo4j.api.train.TrainingListener;
import dev.dpo4j.api.train.TrainingSummary;
import dev.dpo4j.core.distributed.Collectives;
import dev.dpo4j.core.distributed.RankEnvironment;
import dev.dpo4j.core.kernels.Autograd;
import dev.dpo4j.core.model.CausalLm;
import dev.dpo4j.core.tokenizer.TextTokenizer;
import dev.dpo4j.hub.HubClient;
import dev.dpo4j.hub.HubOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Trains a causal language model with Direct Preference Optimization. Configure it with {@link #builder()}:
 *
 * <pre>{@code
 * TrainingSummary summary = DpoTrainer.builder()
 *     .modelPath(Path.of("Qwen2.5-0.5B-Instruct"))
 *     .trainData(examples)
 *     .outputDir(Path.of("out"))
 *     .beta(0.1).learningRate(5e-7).perDeviceTrainBatchSize(2).gradientAccumulationSteps(16)
 *     .build()
 *     .train();
 * }</pre>
 *
 * <p>{@link #train()} runs on the calling thread; {@link #cancel()} may be called from any other thread and stops
 * training at the next step boundary, after saving a checkpoint and the model.
 */
public final class DpoTrainer {

    private final DpoConfig config;
    private final ModelSource policy;
    private final ModelSource reference;
    private final Iterable<PreferenceExample> trainData;
    private final Iterable<PreferenceExample> evalData;
    private final PromptTemplate template;
    private final LossFunction loss;
    private final List<TrainingListener> listeners;
    private final boolean progressBar;
    private final List<Device> devices;
    private final NDManager manager;
    private final Collectives ranks;
    private final RankEnvironment rankEnvironment;
    private final AtomicBoolean cancelRequested;
    private final RunListeners.Publication publication;

    private DpoTrainer(Builder b, DpoConfig config, ModelSource policy, LossFunction loss) {
        this.config = config;
        this.policy = policy;
        this.reference = b.referenceNameOrPath == null ? null
                : new ModelSource.Hub(b.referenceNameOrPath, null, b.referenceHub);
        this.trainData = b.trainData;
        this.evalData = b.evalData;
        this.template = b.template;
        this.loss = loss;
        this.listeners = List.copyOf(b.listeners);
        this.progressBar = b.progressBar;
        this.devices = b.devices;
        this.manager = b.manager;
        this.ranks = b.ranks;
        this.rankEnvironment = b.ranks != null ? null : RankEnvironment.fromEnvironment(System.getenv())
                .filter(e -> e.worldSize() > 1).orElse(null);
        this.cancelRequested = new AtomicBoolean();
        this.publication = b.publication;
    }

    /** This trainer with other model sources; {@code cancelled} is the flag {@link #cancel()} sets. */
    private DpoTrainer(DpoTrainer t, ModelSource policy, ModelSource reference, AtomicBoolean cancelled) {
        this.config = t.config;
        this.policy = policy;
        this.reference = reference;
        this.trainData = t.trainData;
        this.evalData = t.evalData;
        this.template = t.template;
        this.loss = t.loss;
        this.listeners = t.listeners;
        this.progressBar = t.progressBar;
        this.devices = t.devices;
        this.manager = t.manager;
        this.ranks = t.ranks;
        this.rankEnvironment = t.rankEnvironment;
        this.cancelRequested = cancelled;
        this.publication = t.publication;
    }

    /** A builder with TRL's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The validated options. */
    public DpoConfig config() {
        return config;
    }

    /** The loss this trainer optimizes: the one given to {@code loss(...)}, else the built-in of the options. */
    public LossFunction loss() {
        return loss;
    }

    /**
     * Resolves Hub ids of the policy and reference to local folders now (downloading them, or finding them in the
     * cache), so that a missing model fails here rather than when training starts. {@link #train()} does this
     * itself; the returned trainer has its own {@link #cancel()}.
     */
    public DpoTrainer resolve() {
        return resolved(new AtomicBoolean());
    }

    private DpoTrainer resolved(AtomicBoolean cancelled) {
        return new DpoTrainer(this, policy.resolve(), reference == null ? null : reference.resolve(), cancelled);
    }

    /**
     * Resolves Hub ids, trains, then saves the model into the output folder. A trainer may train more than once;
     * each run starts from the model source again (a {@code model(...)} given in memory goes on from where the last
     * run left it).
     *
     * @return how the run ended
     * @throws IllegalArgumentException for unusable input (an empty dataset after filtering, a non-empty output
     *     folder without overwrite or resume), naming the option or file
     */
    public TrainingSummary train() {
        // PyTorch starts every thread recording a graph: a run on a thread of the caller's (one rank of several, say)
        // records only where it trains (once the run's manager has loaded the engine)
        try (TrainingRun run = new TrainingRun(resolved(cancelRequested)); Autograd paused = Autograd.pause()) {
            return run.execute();
        }
    }

    /** Asks a running {@link #train()} to stop at the next step boundary; it saves before returning. */
    public void cancel() {
        cancelRequested.set(true);
    }

    /** Whether {@link #cancel()} was called. */
    boolean cancelRequested() {
        return cancelRequested.get();
    }

    /** The folder of a reference model other than the starting policy, or null. */
    Path referencePath() {
        return reference == null ? null : reference.folder();
    }

    Iterable<PreferenceExample> trainData() {
        return trainData;
    }

    Iterable<PreferenceExample> evalData() {
        return evalData;
    }

    PromptTemplate template() {
        return template;
    }

    /**
     * Every listener of a run writing into {@code outputDir} ({@link RunListeners}) on the rank that speaks for it
     * ({@code speaks}); on another rank the user's alone. Every rank tells the user's listeners of its training (a
     * stop, say), and rank 0 alone of its checkpoints.
     */
    List<TrainingListener> listeners(Path outputDir, boolean speaks) {
        return speaks ? RunListeners.of(config, outputDir, progressBar, listeners, policy, publication)
                : List.copyOf(listeners);
    }

    /** The devices to train on, the first being the primary's (see {@link Builder#devices(List)}). */
    List<Device> devices() {
        if (devices != null) {
            return devices;
        }
        if (manager != null) {
            return List.of(manager.getDevice());
        }
        if (rankEnvironment != null) { // one device per rank: its local rank's GPU
            return List.of(Engine.getInstance().getGpuCount() > 0 ? Device.gpu(rankEnvironment.localRank())
                    : Device.cpu());
        }
        return policy instanceof ModelSource.Loaded loaded ? ModelSource.devicesFrom(loaded.model())
                : List.of(Engine.getInstance().getDevices());
    }

    /** A manager on the first device, under {@link Builder#manager(NDManager)} when one was given. */
    NDManager newManager() {
        Device primary = devices().get(0);
        return manager != null ? manager.newSubManager(primary) : NDManager.newBaseManager(primary);
    }

    /** The ranks given to {@link Builder#ranks(Collectives)}; null when the run finds its own. */
    Collectives ranks() {
        return ranks;
    }

    /** The ranks torchrun's variables describe, read when the trainer was built; null for a process alone. */
    RankEnvironment rankEnvironment() {
        return rankEnvironment;
    }

    /** The number of ranks the run trains on: 1 for a process alone. */
    int worldSize() {
        return ranks != null ? ranks.worldSize() : rankEnvironment != null ? rankEnvironment.worldSize() : 1;
    }

    /** The policy's source, resolved. */
    ModelSource policy() {
        return policy;
    }

    /** Configures a {@link DpoTrainer}: model, data, template, loss, listeners and every {@link DpoConfig} option. */
    public static final class Builder extends ConfigBuilder<Builder> {
        private Path modelPath;
        private String referenceNameOrPath;
        private HubClient referenceHub;
        private String modelNameOrPath;
        private String revision;
        private HubClient hub;
        private CausalLm model;
        private TextTokenizer tokenizer;
        private Path tokenizerFiles;
        private Iterable<PreferenceExample> trainData;
        private Iterable<PreferenceExample> evalData;
        private PromptTemplate template = PromptTemplate.chatMl();
        private LossFunction loss;
        private final List<TrainingListener> listeners = new ArrayList<>();
        private boolean progressBar = true;
        private Collectives ranks;
        private List<Device> devices;
        private NDManager manager;
        private RunListeners.Publication publication = RunListeners.Publication.NONE;

        private Builder() {
        }

        @Override
        protected Builder self() {
            return this;
        }

        /**
         * A Hugging Face model folder (config.json, safetensors, tokenizer.json) to train; it is also the
         * reference model. A PEFT LoRA adapter folder (adapter_config.json, adapter_model.safetensors) continues
         * training that adapter on the base its {@code base_model_name_or_path} names (a folder, or a Hub id), with
         * the base plus the adapter as loaded for reference, as TRL does.
         */
        public Builder modelPath(Path folder) {
            this.modelPath = folder;
            return this;
        }

        /**
         * A local model folder or a Hugging Face Hub model id (such as {@code Qwen/Qwen2.5-0.5B-Instruct}) at a
         * revision (null: {@code main}), resolved through {@code hub} when training starts, downloading into the
         * Hugging Face cache shared with Python or finding it there ({@link HubClient#fromEnvironment()} honours
         * HF_TOKEN, HF_ENDPOINT, HF_HUB_CACHE and HF_HUB_OFFLINE).
         */
        public Builder modelNameOrPath(String idOrPath, String revision, HubClient hub) {
            this.modelNameOrPath = Objects.requireNonNull(idOrPath, "idOrPath");
            this.revision = revision;
            this.hub = Objects.requireNonNull(hub, "hub");
            return this;
        }

        /** {@link #modelNameOrPath(String, String, HubClient)} at {@code main} with the environment's Hub settings. */
        public Builder modelNameOrPath(String idOrPath) {
            return modelNameOrPath(idOrPath, null, HubClient.fromEnvironment());
        }

        /**
         * A reference model other than the starting policy (TRL's {@code ref_model}), such as the SFT checkpoint the
         * policy was trained from: a model folder, or a Hub id resolved through {@code hub} when training starts. It
         * must share the policy's vocabulary.
         */
        public Builder referenceModelNameOrPath(String idOrPath, HubClient hub) {
            this.referenceNameOrPath = Objects.requireNonNull(idOrPath, "idOrPath");
            this.referenceHub = Objects.requireNonNull(hub, "hub");
            return this;
        }

        /** {@link #referenceModelNameOrPath(String, HubClient)} with the environment's Hub settings. */
        public Builder referenceModelNameOrPath(String idOrPath) {
            return referenceModelNameOrPath(idOrPath, HubClient.fromEnvironment());
        }

        /**
         * An already loaded model and its tokenizer, trained in place; {@code tokenizerFiles} is a folder whose
         * tokenizer files are copied next to saved models (may be null). With LoRA the model is the frozen base: used
         * as it is when its weights are already in the compute type (build it so for a large model), else copied
         * into it, the given weights left untouched.
         */
        public Builder model(CausalLm policy, TextTokenizer textTokenizer, Path tokenizerFiles) {
            this.model = policy;
            this.tokenizer = textTokenizer;
            this.tokenizerFiles = tokenizerFiles;
            return this;
        }

        /** The training pairs; iterated once, at the start of {@link #train()}. */
        public Builder trainData(Iterable<PreferenceExample> examples) {
            this.trainData = examples;
            return this;
        }

        /** Evaluation pairs (optional). */
        public Builder evalData(Iterable<PreferenceExample> examples) {
            this.evalData = examples;
            return this;
        }

        /** The prompt template (default ChatML). */
        public Builder template(PromptTemplate promptTemplate) {
            this.template = promptTemplate;
            return this;
        }

        /** A loss to use instead of the built-in named by {@code lossType}. */
        public Builder loss(LossFunction lossFunction) {
            this.loss = lossFunction;
            return this;
        }

        /**
         * Adds a listener for step, log, evaluation, checkpoint and end events; with several ranks it hears each rank's
         * events (the metrics summed over the ranks), and rank 0's checkpoints only.
         */
        public Builder listener(TrainingListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /** Whether to show the console progress bar (default true). */
        public Builder progressBar(boolean show) {
            this.progressBar = show;
            return this;
        }

        /**
         * Trains as rank {@code collectives.rank()} of {@code collectives.worldSize()} data-parallel ranks the caller
         * has joined (threads of one JVM, or processes it started), each rank on its one device: the global batch is
         * per-device batch x accumulation x ranks, {@code zero_stage} splits the optimizer state, and rank 0 writes
         * the output. The caller closes them. Without it, a process started with torchrun's variables ({@code RANK},
         * {@code WORLD_SIZE}, {@code MASTER_ADDR}, ...) joins its ranks itself.
         */
        public Builder ranks(Collectives collectives) {
            this.ranks = Objects.requireNonNull(collectives, "ranks");
            return this;
        }

        /** Trains on this one device; the same as {@code devices(List.of(trainingDevice))}. */
        public Builder device(Device trainingDevice) {
            return devices(List.of(Objects.requireNonNull(trainingDevice, "device")));
        }

        /**
         * The devices to train on, data-parallel: each runs {@code per_device_train_batch_size} pairs per
         * micro-batch, gradients are summed on the first before each optimizer step, so the global batch is
         * per-device batch x accumulation x devices. The first device holds the optimizer; with
         * {@link #model(CausalLm, TextTokenizer, Path)} it must be the model's device. Default: every GPU PyTorch
         * sees, else the CPU; the device of {@link #manager(NDManager)} when one is given; with a model on a GPU,
         * every GPU starting with the model's. A device listed twice gets two workers, which runs data parallelism
         * on a single CPU or GPU (for tests).
         */
        public Builder devices(List<Device> trainingDevices) {
            for (int i = 0; i < trainingDevices.size(); i++) {
                if (trainingDevices.get(i) == null) {
                    throw new IllegalArgumentException("devices(...): device " + i + " is null");
                }
            }
            this.devices = List.copyOf(trainingDevices);
            return this;
        }

        /** {@link #devices(List)} from an array. */
        public Builder devices(Device... trainingDevices) {
            return devices(Arrays.asList(trainingDevices));
        }

        /** The Hub id of the dataset the pairs come from, named in the model card (TRL's {@code dataset_name}). */
        public Builder datasetName(String hubDatasetId) {
            publication = new RunListeners.Publication(hubDatasetId, publication.pushTo());
            return this;
        }

        /** The Hub that {@code push_to_hub} pushes to, and its token (default: HF_ENDPOINT, HF_TOKEN). */
        public Builder pushTo(HubOptions hub) {
            publication = new RunListeners.Publication(publication.datasetName(), Objects.requireNonNull(hub));
            return this;
        }

        /** The NDManager under which all training arrays live (default: a new base manager on the device). */
        public Builder manager(NDManager parent) {
            this.manager = parent;
            return this;
        }

        /**
         * Validates every option and builds an immutable trainer; the error names each bad option. The builder
         * stays usable: changing it afterwards does not change trainers built before. Nothing is downloaded here:
         * Hub ids are resolved when training starts, or by {@link DpoTrainer#resolve()}.
         */
        public DpoTrainer build() {
            DpoConfig config = buildConfig();
            int sources = (modelPath == null ? 0 : 1) + (model == null ? 0 : 1) + (modelNameOrPath == null ? 0 : 1);
            if (sources != 1) {
                throw new IllegalArgumentException("set exactly one of modelPath(...), modelNameOrPath(...) or "
                        + "model(...)");
            }
            if (model != null && tokenizer == null) {
                throw new IllegalArgumentException("model(...) needs a tokenizer");
            }
            if (trainData == null) {
                throw new IllegalArgumentException("trainData(...) is required");
            }
            Objects.requireNonNull(template, "template");
            if (devices != null && devices.isEmpty()) {
                throw new IllegalArgumentException("devices(...) is empty: name at least one device");
            }
            if (devices != null && devices.stream().anyMatch(d -> d instanceof Device.MultiDevice)) {
                throw new IllegalArgumentException("devices(...): list the devices one by one, not a MultiDevice "
                        + devices);
            }
            if (model != null && devices != null && !devices.get(0).equals(model.manager().getDevice())) {
                throw new IllegalArgumentException("devices(...) must start with the device model(...) lives on ("
                        + model.manager().getDevice() + "), got " + devices);
            }
            if (ranks != null && ranks.worldSize() > 1 && devices != null && devices.size() > 1) {
                throw new IllegalArgumentException("ranks(...) trains one device per rank, but devices(...) names "
                        + devices.size() + ": give each rank its one device");
            }
            return new DpoTrainer(this, config, policySource(), loss != null ? loss : config.loss().build());
        }

        private ModelSource policySource() {
            if (model != null) {
                return new ModelSource.Loaded(model, tokenizer, tokenizerFiles);
            }
            return modelPath != null ? new ModelSource.Folder(modelPath)
                    : new ModelSource.Hub(modelNameOrPath, revision, hub);
        }
    }
}
