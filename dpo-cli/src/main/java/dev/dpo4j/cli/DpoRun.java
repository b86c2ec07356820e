package dev.dpo4j.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;
import dev.dpo4j.adapters.TrainEvalSplit;
import dev.dpo4j.api.template.PromptTemplate;
import dev.dpo4j.api.train.TrainingSummary;
import dev.dpo4j.cli.embedded.EmbeddedDefaults;
import dev.dpo4j.cli.plot.ChartSupport;
import dev.dpo4j.cli.plot.TrainingCurvePlot;
import dev.dpo4j.api.train.TrainingListener;
import dev.dpo4j.api.train.TrainingPlan;
import dev.dpo4j.core.checkpoint.AtomicFolder;
import dev.dpo4j.core.checkpoint.CheckpointException;
import dev.dpo4j.core.checkpoint.CheckpointFolders;
import dev.dpo4j.core.checkpoint.FolderLock;
import dev.dpo4j.core.checkpoint.FolderLockedException;
import dev.dpo4j.core.distributed.RankEnvironment;
import dev.dpo4j.core.train.DpoConfig;
import dev.dpo4j.core.train.DpoTrainer;
import dev.dpo4j.hub.DownloadListener;
import dev.dpo4j.hub.HubClient;
import dev.dpo4j.hub.HubOptions;
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

/**
 * One execution of the {@code dpo} command with resolved options: checks them in the order a user reads them before
 * anything slow happens ({@link DataStep}, {@link TemplateStep}, {@link ModelStep}, the output folder, the devices),
 * then prepares the model, template and data, builds the trainer and trains. A bad value found while preparing is a
 * usage mistake; what fails while training is not.
 */
final class DpoRun {

    private static final Logger LOG = LoggerFactory.getLogger(DpoRun.class);
    private static final Pattern GPU = Pattern.compile("(?:gpu|cuda)(?:[:(]?(\\d+)\\)?)?");

    private final CommandOptions.Input in;
    private final CommandOptions.Setup setup;
    private final DpoConfig config;
    private final Set<String> fromDemo;
    private final PrintStream out;
    private final AtomicReference<DpoTrainer> running;
    private final HubOptions hubOptions;
    private HubClient hub;

    DpoRun(CommandOptions command, DpoConfig config, Set<String> fromDemo, PrintStream out,
            AtomicReference<DpoTrainer> running, HubOptions hubOptions) {
        this.in = command.input();
        this.setup = command.setup();
        this.config = config;
        this.fromDemo = fromDemo;
        this.out = out;
        this.running = running;
        this.hubOptions = hubOptions;
    }

    /** Checks everything that can be checked cheaply, then trains; returns the summary. */
    TrainingSummary execute() {
        DataStep data = new DataStep(in, setup, config.seed());
        TemplateStep template = new TemplateStep(in);
        ModelStep model = new ModelStep(in, setup, config.seed(), data.given());
        data.requireFiles();
        if (data.given() && model.embedded()) {
            throw new UsageError((in.hasDataFiles() ? "--data_files" : "--dataset " + in.dataset())
                    + " needs --model_name_or_path (a model folder or Hub id): without it dpo would train the "
                    + "embedded random tiny model, with the demo's defaults, on "
                    + (in.hasDataFiles() ? "these files" : "that dataset"));
        }
        if (config.resumeFromCheckpoint() != null && !Files.isDirectory(config.resumeFromCheckpoint())) {
            throw new UsageError("checkpoint folder " + config.resumeFromCheckpoint() + " does not exist");
        }
        if (config.resumeFromCheckpoint() != null) {
            try {
                CheckpointFolders.resolve(config.resumeFromCheckpoint());
            } catch (CheckpointException e) {
                // a folder without a checkpoint: the flag names the wrong folder
                throw new UsageError("--" + e.getMessage());
            }
        }
        if (RankEnvironment.fromEnvironment(System.getenv()).map(RankEnvironment::rank).orElse(0) == 0) {
            checkOutputDir(config); // rank 0 speaks for the run: the others would find its lock
        }
        List<Device> devices = devices(setup.devices());

        Path work = null;
        try {
            WorkFolders.deleteAbandoned(WorkFolders.systemRoot());
            work = WorkFolders.create(WorkFolders.systemRoot());
            LOG.debug("work folder {}: deleted when the run ends, or by the next run if this one is killed", work);
            AtomicReference<DpoTrainer> built = new AtomicReference<>();
            DpoTrainer trainer;
            try {
                // published to the signal handler once training starts: before, a signal stops at once
                trainer = prepare(work, data, template, model, devices, () -> running.set(built.get()));
            } catch (IllegalArgumentException e) {
                throw new UsageError(e.getMessage() == null ? e.toString() : e.getMessage());
            }
            built.set(trainer);
            try {
                return trainer.train();
            } catch (FolderLockedException e) {
                throw new UsageError(e.getMessage());
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

    /** The model, the template and the data, then the trainer with its listeners. */
    private DpoTrainer prepare(Path work, DataStep data, TemplateStep template, ModelStep model,
            List<Device> devices, Runnable trainingStarted) {
        ModelFolders folders = model.resolve(work, this::hub);
        Path tokenizerFiles = folders.tokenizerFiles();
        PromptTemplate prompts = template.resolve(tokenizerFiles);
        TrainEvalSplit split = data.load(work, this::hub);
        DpoTrainer.Builder builder = DpoTrainer.builder().config(config)
                .trainData(split.train()).evalData(split.eval()).template(prompts).progressBar(!setup.disableTqdm())
                .datasetName(data.hubDatasetId()).pushTo(hubOptions);
        model.policy(builder, this::hub);
        if (devices != null) {
            builder.devices(devices);
        }
        if (in.refModelNameOrPath() != null) {
            builder.referenceModelNameOrPath(in.refModelNameOrPath(), hub());
        }
        if (ChartSupport.available()) {
            builder.listener(new TrainingCurvePlot());
        } else {
            LOG.warn("{} is not drawn: this Java runtime has no {} module, which JFreeChart needs",
                    TrainingCurvePlot.FILE_NAME, ChartSupport.MODULE);
        }
        builder.listener(new RunReport(out, config, model.description(), data.description(), template.description(),
                config.loss().lossType(), demoNote(), split.train(), split.eval()).preview(new ExamplePreview(prompts,
                tokenizerFiles, split.train(), config.batching().maxLength(), config.batching().maxPromptLength(),
                config.batching().maxTargetLength())).savesAdapter(config.lora().usePeft() || folders.isAdapter(),
                embeddedBaseNote(model)));
        builder.listener(new TrainingListener() {
            @Override
            public void onTrainingStart(TrainingPlan plan) {
                trainingStarted.run();
            }
        });
        DataCheck.requireTrainingPairs(split.train());
        return builder.build();
    }

    /** The Hub client, with --cache_dir over the environment's cache folder. */
    private HubClient hub() {
        if (hub == null) {
            HubOptions options = setup.cacheDir() == null ? hubOptions : hubOptions.withCacheDir(setup.cacheDir());
            hub = HubClient.builder().options(options).listener(setup.disableTqdm()
                    ? DownloadListener.logging(DownloadListener.DEFAULT_THRESHOLD)
                    : DownloadListener.progressBar(DownloadListener.DEFAULT_THRESHOLD)).build();
        }
        return hub;
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

    /** For an adapter trained on the embedded model, which lives in a temporary folder: what that means. */
    private String embeddedBaseNote(ModelStep model) {
        if (!model.embedded()) {
            return null;
        }
        return "its base, the embedded model, is not kept" + (config.lora().mergeAdapters() ? ""
                : "; --merge_adapters also saves a model folder that stands alone");
    }

    private static void checkOutputDir(DpoConfig config) {
        Path out = config.outputDir();
        if (Files.isDirectory(out)) {
            try {
                FolderLock.checkFree(out, "--output_dir"); // another live run's: refused before anything is done
            } catch (FolderLockedException e) {
                throw new UsageError(e.getMessage());
            }
        }
        if (config.overwriteOutputDir() || config.resumeFromCheckpoint() != null || !Files.isDirectory(out)) {
            if (Files.exists(out) && !Files.isDirectory(out)) {
                throw new UsageError("--output_dir " + out + " is a file, not a folder");
            }
            return;
        }
        try (Stream<Path> children = Files.list(out)) {
            // a killed run's lock file alone leaves the folder empty
            if (children.anyMatch(p -> !p.getFileName().toString().equals(FolderLock.FILE_NAME))) {
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
