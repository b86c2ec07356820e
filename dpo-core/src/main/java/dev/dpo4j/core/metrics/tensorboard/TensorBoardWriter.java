package dev.dpo4j.core.metrics.tensorboard;

import dev.dpo4j.api.train.DpoMetrics;
import dev.dpo4j.api.train.TrainingListener;
import dev.dpo4j.api.train.TrainingPlan;
import dev.dpo4j.api.train.TrainingSummary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Writes every logged and evaluation metric set as TensorBoard scalar summaries at the global step, as
 * transformers' {@code TensorBoardCallback} does: into a run folder {@code <MonDD_HH-mm-ss>_<host>} of
 * {@code runs}, a file {@code events.out.tfevents.<unix seconds>.<host>}, with the names of
 * {@code metrics.jsonl} rewritten as transformers' {@code rewrite_logs} does ({@code loss} as {@code train/loss},
 * {@code eval_loss} as {@code eval/loss}). A resumed run adds a new events file to the latest run folder, starting
 * with a session start that makes TensorBoard drop what an earlier file logged after the checkpoint.
 */
public final class TensorBoardWriter implements TrainingListener, AutoCloseable {

    /** The folder of the run folders in the trainer's output folder, as transformers' {@code logging_dir}. */
    public static final String FOLDER = "runs";
    /** How every events file name starts; TensorBoard reads the files whose names hold {@code tfevents}. */
    public static final String FILE_PREFIX = "events.out.tfevents.";

    private static final DateTimeFormatter RUN_TIME = DateTimeFormatter.ofPattern("MMMdd_HH-mm-ss", Locale.ENGLISH);

    private final Path runs;
    private TfRecordWriter writer;

    /** Writes under {@code runs} (the trainer passes {@code output_dir/runs}). */
    public TensorBoardWriter(Path runs) {
        this.runs = runs;
    }

    @Override
    public void onTrainingStart(TrainingPlan plan) {
        open(plan.startStep());
    }

    @Override
    public void onLog(DpoMetrics metrics) {
        write(metrics.step(), metrics.toMap(""));
    }

    @Override
    public void onEvaluation(DpoMetrics metrics) {
        write(metrics.step(), metrics.toMap("eval_"));
    }

    @Override
    public void onTrainingEnd(TrainingSummary summary) {
        close();
    }

    /** transformers' {@code rewrite_logs}: {@code eval_x} becomes {@code eval/x}, any other key {@code train/x}. */
    static String tag(String key) {
        return key.startsWith("eval_") ? "eval/" + key.substring("eval_".length()) : "train/" + key;
    }

    /** The events file being written, or empty before training starts and after it ends. */
    public Optional<Path> file() {
        return Optional.ofNullable(writer).map(TfRecordWriter::file);
    }

    private void write(long step, Map<String, Double> values) {
        if (writer == null) {
            open(0);
        }
        double wallTime = wallTime();
        try {
            for (Map.Entry<String, Double> value : values.entrySet()) {
                if (!value.getKey().equals("step")) { // the step is the x-axis, not a scalar of its own
                    writer.write(Events.scalar(wallTime, step, tag(value.getKey()), value.getValue().floatValue()));
                }
            }
        } catch (IOException e) {
            throw failed(writer.file(), e);
        }
    }

    private void open(long startStep) {
        close();
        Path folder = null;
        try {
            String host = hostname();
            folder = startStep > 0 ? latestRun().orElse(null) : null;
            if (folder == null) {
                folder = newRun(host);
            }
            long seconds = System.currentTimeMillis() / 1000;
            Path file = folder.resolve(FILE_PREFIX + String.format(Locale.ROOT, "%010d", seconds) + "." + host);
            for (int n = 1; Files.exists(file); n++) {
                file = folder.resolve(FILE_PREFIX + String.format(Locale.ROOT, "%010d", seconds) + "." + host + "." + n);
            }
            writer = new TfRecordWriter(file);
            double wallTime = wallTime();
            writer.write(Events.fileVersion(wallTime));
            if (startStep > 0) {
                writer.write(Events.sessionStart(wallTime, startStep + 1));
            }
        } catch (IOException e) {
            throw failed(folder != null ? folder : runs, e);
        }
    }

    /** A new run folder named as transformers names it, {@code Dec01_09-23-07_host}. */
    private Path newRun(String host) throws IOException {
        String name = LocalDateTime.now().format(RUN_TIME) + "_" + host;
        Path folder = runs.resolve(name);
        for (int n = 1; Files.exists(folder); n++) {
            folder = runs.resolve(name + "-" + n);
        }
        return Files.createDirectories(folder);
    }

    /** The run folder whose events file was written last, if any. */
    private Optional<Path> latestRun() throws IOException {
        if (!Files.isDirectory(runs)) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.find(runs, 2, (path, attributes) -> attributes.isRegularFile()
                && path.getFileName().toString().startsWith(FILE_PREFIX) && !path.getParent().equals(runs))) {
            return files.max(Comparator.comparing(TensorBoardWriter::modified)).map(Path::getParent);
        }
    }

    private static FileTime modified(Path file) {
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    private static double wallTime() {
        return System.currentTimeMillis() / 1000.0;
    }

    /** The host name as Python's {@code socket.gethostname()} gives it (W&B matches it in file names). */
    static String hostname() {
        String name = null;
        try {
            Path kernel = Path.of("/proc/sys/kernel/hostname");
            if (Files.isReadable(kernel)) {
                name = Files.readString(kernel).strip();
            }
        } catch (IOException | RuntimeException e) {
            name = null;
        }
        if (name == null || name.isEmpty()) {
            try {
                name = InetAddress.getLocalHost().getHostName();
            } catch (IOException | RuntimeException e) {
                name = "localhost";
            }
        }
        String safe = name.replaceAll("[^A-Za-z0-9._-]", "_");
        return safe.isEmpty() ? "localhost" : safe;
    }

    private static UncheckedIOException failed(Path where, IOException e) {
        return new UncheckedIOException(where + ": cannot write TensorBoard events: " + e.getMessage(), e);
    }

    /** Closes the events file; a later log opens a new one. */
    @Override
    public void close() {
        if (writer != null) {
            TfRecordWriter closing = writer;
            writer = null;
            try {
                closing.close();
            } catch (IOException e) {
                throw failed(closing.file(), e);
            }
        }
    }
}
