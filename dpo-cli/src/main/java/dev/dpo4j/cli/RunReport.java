package dev.dpo4j.cli;

import dev.dpo4j.adapters.PreferenceDataset;
import dev.dpo4j.api.train.DpoMetrics;
import dev.dpo4j.api.train.TrainingListener;
import dev.dpo4j.api.train.TrainingPlan;
import dev.dpo4j.api.train.TrainingSummary;
import dev.dpo4j.core.metrics.JsonlMetricsWriter;
import dev.dpo4j.core.metrics.tensorboard.TensorBoardWriter;
import dev.dpo4j.core.loss.LossOptions;
import dev.dpo4j.core.lora.AdapterFolder;
import dev.dpo4j.core.lora.LoraOptions;
import dev.dpo4j.core.train.DpoConfig;
import dev.dpo4j.core.train.OptimizerOptions;
import dev.dpo4j.cli.plot.TrainingCurvePlot;
import dev.dpo4j.core.train.Reporter;
import dev.dpo4j.hub.ModelFiles;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Prints the run's plan when training starts and its outcome when it ends. */
final class RunReport implements TrainingListener {

    /** The global batch of the Zephyr DPO recipe, for comparison. */
    static final int ZEPHYR_GLOBAL_BATCH = 32;
    private static final String MODEL_FILES = ModelFiles.CONFIG + ", " + ModelFiles.WEIGHTS + ", "
            + ModelFiles.TOKENIZER;

    private final PrintStream out;
    private final DpoConfig config;
    private final String model;
    private final String data;
    private final String template;
    private final String lossName;
    private final String demoNote;
    private final PreferenceDataset train;
    private final PreferenceDataset eval;
    private long stepsPerEpoch;
    private ExamplePreview preview;
    private boolean adapter;
    private String baseNote;

    RunReport(PrintStream out, DpoConfig config, String model, String data, String template, String lossName,
            String demoNote, PreferenceDataset train, PreferenceDataset eval) {
        this.out = out;
        this.config = config;
        this.model = model;
        this.data = data;
        this.template = template;
        this.lossName = lossName;
        this.demoNote = demoNote;
        this.train = train;
        this.eval = eval;
    }

    /** Adds the first training pair, rendered, to the start-up report. */
    RunReport preview(ExamplePreview examplePreview) {
        this.preview = examplePreview;
        return this;
    }

    /**
     * Whether the run saves a LoRA adapter (and, with merge_adapters, the merged model) rather than a model;
     * {@code note}, when not null, follows the adapter's line.
     */
    RunReport savesAdapter(boolean savesAdapter, String note) {
        this.adapter = savesAdapter;
        this.baseNote = note;
        return this;
    }

    @Override
    public void onTrainingStart(TrainingPlan plan) {
        long read = plan.trainExamples() + plan.droppedExamples();
        stepsPerEpoch = Math.max(1, (plan.totalSteps() + plan.epochs() - 1) / Math.max(1, plan.epochs()));
        int global = plan.globalBatchSize();
        int devices = plan.deviceCount();
        out.println("dpo4j DPO training");
        row("model", model);
        row(devices == 1 ? "device" : "devices", (devices == 1 ? plan.devices() : devices + " (" + plan.devices()
                + "), data-parallel") + ", " + plan.precision());
        if (plan.memory() != null && !plan.memory().isEmpty()) {
            row("memory", plan.memory());
        }
        row("data", data);
        row("train pairs", read + " read, " + plan.trainExamples() + " kept after max_length="
                + (config.batching().maxLength() == 0 ? "none" : config.batching().maxLength()) + " ("
                + plan.droppedExamples() + " dropped)" + skips(train));
        row("eval pairs", evalPairs(plan) + skips(eval));
        row("template", template);
        row("global batch", global + " = " + config.batching().perDeviceTrainBatchSize() + " per device x "
                + config.batching().gradientAccumulationSteps() + " accumulation x " + devices + " device"
                + (devices == 1 ? "" : "s") + " (the Zephyr recipe aims for " + ZEPHYR_GLOBAL_BATCH + ")");
        row("steps", plan.totalSteps() + (config.maxSteps() > 0 ? " (max_steps)" : " (" + plan.epochs()
                + " epoch" + (plan.epochs() == 1 ? "" : "s") + ")") + (plan.startStep() > 0 ? ", resuming at step "
                + plan.startStep() : "") + ", logging every " + config.loggingSteps() + ", eval "
                + (config.evalSteps() > 0 ? "every " + config.evalSteps() : "at the end"));
        OptimizerOptions optimizer = config.optimizer();
        row("optimizer", String.format(Locale.ROOT, "AdamW, learning_rate %s %s, warmup %d, weight_decay %s, "
                + "max_grad_norm %s", num(optimizer.learningRate()), optimizer.lrSchedulerType().name()
                .toLowerCase(Locale.ROOT), optimizer.warmupSteps(), num(optimizer.weightDecay()),
                num(optimizer.maxGradNorm())));
        LossOptions loss = config.loss().options();
        row("loss", lossName + weights() + ", beta " + num(loss.beta()) + (loss.labelSmoothing() > 0 ? ", label_smoothing "
                + num(loss.labelSmoothing()) : "") + (config.reference().precomputeRefLogProbs()
                ? ", reference log-probs precomputed" : ""));
        row("output", config.outputDir().toAbsolutePath().normalize().toString());
        if (demoNote != null) {
            row("note", demoNote);
        }
        if (preview != null) {
            preview.print(out);
        }
        out.println();
        out.flush();
    }

    @Override
    public void onTrainingEnd(TrainingSummary summary) {
        out.println();
        out.printf(Locale.ROOT, "%s after %d step%s in %.1f s%n", summary.cancelled() ? "stopped early" : "done",
                summary.steps(), summary.steps() == 1 ? "" : "s", summary.seconds());
        metrics("final train", summary.lastTrain(), "logged over the last " + config.loggingSteps() + " steps");
        metrics("final eval", summary.lastEval(), "held-out pairs");
        if (summary.outputDir() != null) {
            Path dir = summary.outputDir().toAbsolutePath().normalize();
            saved(dir);
            if (config.reporting().reportsTo(Reporter.JSONL)) {
                row("metrics", dir.resolve(JsonlMetricsWriter.FILE_NAME).toString());
            }
            if (config.reporting().reportsTo(Reporter.TENSORBOARD)) {
                row("tensorboard", dir.resolve(TensorBoardWriter.FOLDER) + " (tensorboard --logdir)");
            }
            Path png = dir.resolve(TrainingCurvePlot.FILE_NAME);
            if (Files.exists(png)) {
                row("curves", png.toString());
            }
        }
        out.flush();
    }

    /** The rows naming the saved model, or the adapter and the merged model. */
    private void saved(Path dir) {
        if (!adapter) {
            row("model", dir + " (" + MODEL_FILES + ")");
            return;
        }
        row("adapter", dir + " (" + AdapterFolder.CONFIG + ", " + AdapterFolder.WEIGHTS + ", " + ModelFiles.TOKENIZER
                + ")" + (baseNote == null ? "" : "; " + baseNote));
        if (config.lora().mergeAdapters()) {
            row("merged model", dir.resolve(LoraOptions.MERGED_FOLDER) + " (" + MODEL_FILES + ")");
        }
    }

    private void metrics(String label, DpoMetrics m, String what) {
        if (m == null) {
            row(label, "none");
            return;
        }
        row(label, String.format(Locale.ROOT, "loss %.4f, reward accuracy %.3f, reward margin %.3f "
                + "(chosen %.3f, rejected %.3f) at step %d, %s", m.loss(), m.rewardsAccuracy(), m.rewardsMargin(),
                m.rewardsChosen(), m.rewardsRejected(), m.step(), what));
    }

    private void row(String label, String value) {
        out.printf(Locale.ROOT, "  %-13s %s%n", label, value);
    }

    /**
     * The eval pairs kept, and, when {@code max_length} dropped some, what was read and dropped as for train's (the
     * trainer has read the eval set once by now, so its report counts the pairs read).
     */
    private String evalPairs(TrainingPlan plan) {
        long read = eval == null ? plan.evalExamples() : Math.max(plan.evalExamples(), eval.skipReport().examples());
        long dropped = config.batching().maxLength() == 0 ? 0 : read - plan.evalExamples();
        if (dropped <= 0) {
            return plan.evalExamples() == 0 ? "none" : String.valueOf(plan.evalExamples());
        }
        return read + " read, " + plan.evalExamples() + " kept after max_length=" + config.batching().maxLength()
                + " (" + dropped + " dropped" + (plan.evalExamples() == 0 ? ": the run is not evaluated" : "") + ")";
    }

    private static String skips(PreferenceDataset dataset) {
        if (dataset == null || dataset.skipReport().skipped() == 0) {
            return "";
        }
        return "; lenient: " + dataset.skipReport().summary().replaceAll("\\s*\\R\\s*", " ");
    }

    /** The weight of each loss when several are summed, RPO's term, and WPO's and LD-DPO's weighting when on. */
    private String weights() {
        List<String> names = List.of(lossName.split(","));
        String text = "";
        if (names.size() > 1) {
            List<Double> weights = config.loss().lossWeights();
            StringBuilder sum = new StringBuilder(" (");
            for (int i = 0; i < names.size(); i++) {
                sum.append(i == 0 ? "" : " + ").append(num(weights == null ? 1 : weights.get(i))).append(" x ")
                        .append(names.get(i).strip());
            }
            text = sum.append(")").toString();
        }
        double rpo = config.loss().rpoAlpha();
        text = rpo > 0 ? text + ", rpo_alpha " + num(rpo) + " (+ " + num(rpo) + " x sft)" : text;
        text = config.loss().useWeighting() ? text + ", use_weighting (WPO)" : text;
        Double ld = config.loss().ldAlpha();
        return ld != null ? text + ", ld_alpha " + num(ld) + " (LD-DPO)" : text;
    }

    static String num(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e6) {
            return String.valueOf((long) value);
        }
        String plain = String.valueOf(value);
        return plain.replace(".0E", "e").replace("E", "e");
    }
}
