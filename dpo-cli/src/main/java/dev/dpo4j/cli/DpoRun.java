package dev.dpo4j.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;
import dev.dpo4j.adapters.DatasetSource;
import dev.dpo4j.adapters.LoadOptions;
import dev.dpo4j.adapters.PreferenceDatasets;
import dev.dpo4j.adapters.SplitOptions;
import dev.dpo4j.adapters.TrainEvalSplit;
import dev.dpo4j.adapters.datasets.DatasetAdapters;
import dev.dpo4j.adapters.template.HfChatTemplate;
import dev.dpo4j.api.data.DatasetAdapter;
import dev.dpo4j.api.template.PromptTemplate;
import dev.dpo4j.api.train.TrainingSummary;
import dev.dpo4j.core.checkpoint.AtomicFolder;
import dev.dpo4j.core.checkpoint.SaveDtype;
import dev.dpo4j.core.loss.FDivergence;
import dev.dpo4j.hub.DownloadListener;
import dev.dpo4j.hub.HubClient;
import dev.dpo4j.hub.HubOptions;
import dev.dpo4j.hub.ModelFiles;
import dev.dpo4j.core.optim.LearningRateSchedule;
import dev.dpo4j.core.train.DpoConfig;
import dev.dpo4j.core.train.DpoTrainer;
import dev.dpo4j.core.train.SaveStrategy;
import dev.dpo4j.cli.embedded.EmbeddedDataset;
import dev.dpo4j.cli.embedded.EmbeddedDefaults;
import dev.dpo4j.cli.embedded.EmbeddedModel;
import dev.dpo4j.cli.plot.ChartSupport;
import dev.dpo4j.cli.plot.TrainingCurvePlot;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One execution of the {@code dpo} command with resolved options: checks them, builds the trainer, trains. */
final class DpoRun {

    private static final Logger LOG = LoggerFactory.getLogger(DpoRun.class);
    private static final Pattern GPU = Pattern.compile("(?:gpu|cuda)(?:[:(]?(\\d+)\\)?)?");

    private final DpoOptions o;
    private final Set<String> fromDemo;
    private final PrintStream out;
    private final AtomicReference<DpoTrainer> running;
    private final HubOptions hubOptions;
    private HubClient hub;
    private String schema;

    DpoRun(DpoOptions options, Set<String> fromDemo, PrintStream out, AtomicReference<DpoTrainer> running,
            HubOptions hubOptions) {
        this.o = options;
        this.fromDemo = fromDemo;
        this.out = out;
        this.running = running;
        this.hubOptions = hubOptions;
    }

    /** Checks everything that can be checked cheaply, then trains; returns the summary. */
    TrainingSummary execute() {
        // Options first, in the order a user reads them, before anything slow happens.
        List<DatasetSource> hubData = new ArrayList<>();
        Path missingFile = null;
        if (o.dataFiles != null) {
            for (Path file : o.dataFiles) {
                if (!Files.exists(file)) {
                    if (DatasetSource.isHubDatasetId(file.toString())) {
                        hubData.add(new DatasetSource(file.toString(), o.datasetSplit, o.datasetRevision));
                    } else if (missingFile == null) {
                        missingFile = file;
                    }
                }
            }
        }
        boolean datasetFromHub = (o.dataFiles == null || o.dataFiles.isEmpty())
                && DatasetSource.isHubDatasetId(o.dataset);
        if (datasetFromHub) {
            hubData.add(new DatasetSource(o.dataset, o.datasetSplit, o.datasetRevision));
        }
        DatasetAdapter adapter = adapter(hubData);
        DpoConfig config = config(o);
        String templateName = o.template.strip().toLowerCase(Locale.ROOT);
        PromptTemplate builtIn = templateName.equals("model") ? null : PromptTemplate.byName(o.template);
        SplitOptions split = splitOptions();
        String hubModel = null;
        if (o.modelNameOrPath != null) {
            if (Files.exists(o.modelNameOrPath) || !isHubModelId(o.modelNameOrPath.toString())) {
                ModelFolders.check(o.modelNameOrPath);
            } else {
                hubModel = o.modelNameOrPath.toString();
            }
            if ((o.dataFiles == null || o.dataFiles.isEmpty()) && !datasetFromHub) {
                throw new UsageError("--model_name_or_path needs --data_files or a Hub dataset id in --dataset (the "
                        + "embedded pairs are only used with the embedded model)");
            }
        }
        if (missingFile != null) {
            throw new UsageError("data file " + missingFile + " does not exist");
        }
        if (config.resumeFromCheckpoint() != null && !Files.isDirectory(config.resumeFromCheckpoint())) {
            throw new UsageError("checkpoint folder " + config.resumeFromCheckpoint() + " does not exist");
        }
        checkOutputDir(config);
        List<Device> devices = devices(o.devices);

        Path work = null;
        try {
            work = Files.createTempDirectory("dpo4j-run");
            ModelFolders model;
            String modelDescription;
            if (o.modelNameOrPath == null) {
                model = ModelFolders.model(EmbeddedModel.write(work.resolve("embedded-model"), o.seed));
                modelDescription = "embedded tiny " + EmbeddedModel.describe(EmbeddedModel.config())
                        + ", random init with seed " + o.seed;
            } else if (hubModel != null) {
                model = ModelFolders.resolve(hub().snapshot(hubModel, o.revision), hub()::snapshot);
                modelDescription = model.describe(hubModel + (o.revision == null ? "" : "@" + o.revision)
                        + " from the Hub, " + model.folder());
            } else {
                model = ModelFolders.resolve(o.modelNameOrPath, id -> hub().snapshot(id));
                modelDescription = model.describe(o.modelNameOrPath.toAbsolutePath().normalize().toString());
            }
            Path tokenizerFiles = model.tokenizerFiles();
            PromptTemplate template = builtIn != null ? builtIn : HfChatTemplate.fromModelFolder(
                    requireChatTemplate(tokenizerFiles));
            String templateDescription = builtIn != null ? templateName : "the model's chat_template ("
                    + (ModelFiles.chatTemplateFile(tokenizerFiles).isPresent() ? ModelFiles.CHAT_TEMPLATE
                            : ModelFiles.TOKENIZER_CONFIG) + ")";
            if (o.systemPrompt != null && !o.systemPrompt.isEmpty()) {
                template = new SystemPromptTemplate(template, o.systemPrompt);
                templateDescription += ", default system prompt \"" + o.systemPrompt + "\"";
            }
            LoadOptions load = LoadOptions.builder().lenient(o.lenient).build();
            TrainEvalSplit data;
            String dataDescription;
            if (!hubData.isEmpty()) {
                List<Path> files = new ArrayList<>();
                if (o.dataFiles != null) {
                    o.dataFiles.stream().filter(Files::exists).forEach(files::add);
                }
                PreferenceDatasets.ResolvedSources hubFiles = PreferenceDatasets.resolve(hubData, hub(), true);
                files.addAll(hubFiles.files());
                data = PreferenceDatasets.split(adapter, files, load, split);
                dataDescription = String.join(", ", hubFiles.descriptions()) + ", " + schema + " schema: "
                        + data.train().files().size() + " file(s); " + data.description();
            } else if (o.dataFiles == null || o.dataFiles.isEmpty()) {
                data = PreferenceDatasets.split(adapter, List.of(EmbeddedDataset.extract(work.resolve("data"))), load,
                        split);
                dataDescription = "embedded preference pairs (" + o.dataset + " schema); " + data.description();
            } else {
                data = PreferenceDatasets.split(adapter, o.dataFiles, load, split);
                dataDescription = o.dataset + ": " + data.train().files().size() + " file(s); " + data.description();
            }

            DpoTrainer.Builder builder = DpoTrainer.builder().config(config)
                    .trainData(data.train()).evalData(data.eval()).template(template).progressBar(!o.disableTqdm);
            policy(builder, model, hubModel);
            if (devices != null) {
                builder.devices(devices);
            }
            if (o.refModelNameOrPath != null) {
                builder.referenceModelNameOrPath(o.refModelNameOrPath, hub());
            }
            String lossName = config.loss().lossType();
            if (ChartSupport.available()) {
                builder.listener(new TrainingCurvePlot());
            } else {
                LOG.warn("{} is not drawn: this Java runtime has no {} module, which JFreeChart needs",
                        TrainingCurvePlot.FILE_NAME, ChartSupport.MODULE);
            }
            builder.listener(new RunReport(out, config, modelDescription, dataDescription, templateDescription,
                    lossName, demoNote(), data.train(), data.eval()).preview(new ExamplePreview(template,
                    tokenizerFiles, data.train())).savesAdapter(config.lora().usePeft() || model.isAdapter(),
                    embeddedBaseNote(config)));
            DataCheck.requireTrainingPairs(data.train());
            DpoTrainer trainer = builder.build();
            running.set(trainer);
            try {
                return trainer.train();
            } finally {
                running.set(null);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        } finally {
            if (work != null) {
                try {
                    AtomicFolder.deleteRecursively(work);
                } catch (IOException | UncheckedIOException e) {
                    // a leftover temporary folder is harmless
                }
            }
        }
    }

    /**
     * The training options the flags name, validated; the error names each bad option.
     *
     * @throws IllegalArgumentException listing every bad option by its snake_case name
     */
    static DpoConfig config(DpoOptions o) {
        return DpoConfig.builder().outputDir(o.outputDir).overwriteOutputDir(o.overwriteOutputDir)
                .beta(o.beta).lossType(o.lossType).lossWeights(o.lossWeights).rpoAlpha(o.rpoAlpha)
                .labelSmoothing(o.labelSmoothing).learningRate(o.learningRate)
                .numTrainEpochs(o.numTrainEpochs).maxSteps(o.maxSteps).warmupSteps(o.warmupSteps)
                .lrSchedulerType(LearningRateSchedule.Type.parse(o.lrSchedulerType))
                .perDeviceTrainBatchSize(o.perDeviceTrainBatchSize)
                .perDeviceEvalBatchSize(o.perDeviceEvalBatchSize)
                .gradientAccumulationSteps(o.gradientAccumulationSteps).maxLength(o.maxLength)
                .maxPromptLength(o.maxPromptLength).maxTargetLength(o.maxTargetLength)
                .saveStrategy(SaveStrategy.parse(o.saveStrategy))
                .saveSteps(o.saveSteps).evalSteps(o.evalSteps).loggingSteps(o.loggingSteps).seed(o.seed)
                .maxGradNorm(o.maxGradNorm).weightDecay(o.weightDecay)
                .precomputeRefLogProbs(o.precomputeRefLogProbs).resumeFromCheckpoint(o.resumeFromCheckpoint)
                .saveTotalLimit(o.saveTotalLimit)
                .simpoGamma(o.simpoGamma).discopopTau(o.discopopTau)
                .fDivergenceType(FDivergence.parse(o.fDivergenceType)).fAlphaDivergenceCoef(o.fAlphaDivergenceCoef)
                .syncRefModel(o.syncRefModel).refModelMixupAlpha(o.refModelMixupAlpha)
                .refModelSyncSteps(o.refModelSyncSteps).fp16(o.fp16).bf16(o.bf16).kernels(o.kernels)
                .gradientCheckpointing(AutoBoolean.parse("--gradient_checkpointing", o.gradientCheckpointing))
                .sharePrompt(o.sharePrompt).groupByLength(o.groupByLength).padToMultipleOf(o.padToMultipleOf)
                .saveDtype(SaveDtype.parse(o.saveDtype))
                .usePeft(o.usePeft).loraR(o.loraR).loraAlpha(o.loraAlpha).loraDropout(o.loraDropout)
                .loraTargetModules(o.loraTargetModules).useRslora(o.useRslora).mergeAdapters(o.mergeAdapters)
                .disableDropout(o.disableDropout)
                .reportTo(o.reportTo)
                .build();
    }

    /** The Hub client, with --cache_dir over the environment's cache folder. */
    private HubClient hub() {
        if (hub == null) {
            HubOptions options = o.cacheDir == null ? hubOptions : hubOptions.withCacheDir(o.cacheDir);
            hub = HubClient.builder().options(options).listener(o.disableTqdm
                    ? DownloadListener.logging(DownloadListener.DEFAULT_THRESHOLD)
                    : DownloadListener.progressBar(DownloadListener.DEFAULT_THRESHOLD)).build();
        }
        return hub;
    }

    /** The --dataset adapter; a Hub id without an adapter of its own reads the generic schema. */
    private DatasetAdapter adapter(List<DatasetSource> hubData) {
        if (o.dataset.strip().equalsIgnoreCase("generic") && hubData.size() == 1) {
            String id = hubData.get(0).pathOrId();
            try {
                DatasetAdapter own = DatasetAdapters.byName(id); // e.g. --data_files Intel/orca_dpo_pairs
                schema = id.substring(id.indexOf('/') + 1);
                return own;
            } catch (IllegalArgumentException e) {
                schema = "generic";
                return DatasetAdapters.byName("generic");
            }
        }
        try {
            schema = o.dataset.strip();
            return DatasetAdapters.byName(o.dataset);
        } catch (IllegalArgumentException e) {
            if (DatasetSource.isHubDatasetId(o.dataset)) {
                schema = "generic";
                return DatasetAdapters.byName("generic");
            }
            throw e;
        }
    }

    /** An org/name Hub id that is not an existing path (single names are taken as local folders). */
    static boolean isHubModelId(String s) {
        return DatasetSource.isHubRepoId(s);
    }

    private SplitOptions splitOptions() {
        if (!(o.evalFraction >= 0 && o.evalFraction < 1)) {
            throw new UsageError("--eval_fraction must be in [0, 1), got " + o.evalFraction);
        }
        return new SplitOptions(o.evalFraction, o.seed);
    }

    private String demoNote() {
        if (fromDemo.isEmpty()) {
            return null;
        }
        Set<String> keys = new TreeSet<>(fromDemo);
        return "embedded demo defaults (real models default otherwise): " + EmbeddedDefaults.asFlags().entrySet()
                .stream().filter(e -> keys.contains(e.getKey())).map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining(", "));
    }

    /**
     * Sets the policy: a Hub id, or an adapter folder, through the run's Hub client (so that a base on the Hub is
     * found in --cache_dir, and saved adapters name the id as their base); a model folder as it is.
     */
    private void policy(DpoTrainer.Builder builder, ModelFolders model, String hubModel) {
        if (hubModel != null) {
            builder.modelNameOrPath(hubModel, o.revision, hub());
        } else if (model.isAdapter()) {
            builder.modelNameOrPath(model.folder().toString(), null, hub());
        } else {
            builder.modelPath(model.folder());
        }
    }

    /** For an adapter trained on the embedded model, which lives in a temporary folder: what that means. */
    private String embeddedBaseNote(DpoConfig config) {
        if (o.modelNameOrPath != null) {
            return null;
        }
        return "its base, the embedded model, is not kept" + (config.lora().mergeAdapters() ? ""
                : "; --merge_adapters also saves a model folder that stands alone");
    }

    /** The model folder when it has a chat template file or a tokenizer config that may hold one. */
    private static Path requireChatTemplate(Path modelDir) {
        if (ModelFiles.chatTemplateFile(modelDir).isEmpty()
                && !Files.isRegularFile(modelDir.resolve(ModelFiles.TOKENIZER_CONFIG))) {
            throw new UsageError("--template model needs " + modelDir.resolve(ModelFiles.CHAT_TEMPLATE) + " or "
                    + modelDir.resolve(ModelFiles.TOKENIZER_CONFIG) + " with a chat_template");
        }
        return modelDir;
    }

    private static void checkOutputDir(DpoConfig config) {
        Path out = config.outputDir();
        if (config.overwriteOutputDir() || config.resumeFromCheckpoint() != null || !Files.isDirectory(out)) {
            if (Files.exists(out) && !Files.isDirectory(out)) {
                throw new UsageError("--output_dir " + out + " is a file, not a folder");
            }
            return;
        }
        try (Stream<Path> children = Files.list(out)) {
            if (children.findAny().isPresent()) {
                throw new UsageError("--output_dir " + out + " is not empty; pass --overwrite_output_dir, choose "
                        + "another folder, or --resume_from_checkpoint");
            }
        } catch (IOException e) {
            throw new UsageError("--output_dir " + out + " cannot be listed: " + e.getMessage());
        }
    }

    /** Parses a comma-separated device list, or auto (null: every GPU, else the CPU). */
    static List<Device> devices(String spec) {
        if (spec.strip().equalsIgnoreCase("auto")) {
            return null;
        }
        List<Device> devices = new ArrayList<>();
        for (String name : spec.split(",", -1)) {
            devices.add(device(name));
        }
        return devices;
    }

    /** Parses cpu, gpu, gpu0, gpu:1, cuda:0 or gpu(1). */
    static Device device(String name) {
        String n = name.strip().toLowerCase(Locale.ROOT);
        if (n.equals("cpu") || n.equals("cpu()")) {
            return Device.cpu();
        }
        Matcher m = GPU.matcher(n.replace("()", ""));
        if (!m.matches()) {
            throw new UsageError("--devices must be auto or a comma-separated list of cpu, gpu, gpu0, gpu1, ..., "
                    + "got '" + name + "'");
        }
        int index = m.group(1) == null ? 0 : Integer.parseInt(m.group(1));
        int gpus = Engine.getInstance().getGpuCount();
        if (index >= gpus) {
            throw new UsageError("--devices " + name + ": PyTorch sees " + (gpus == 0 ? "no GPU" : gpus + " GPU(s)")
                    + (gpus == 0 ? " (the bundled PyTorch natives are the CPU build)" : ""));
        }
        return Device.gpu(index);
    }
}
