package dev.dpo4j.cli.plot;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.dpo4j.api.train.DpoMetrics;
import dev.dpo4j.api.train.TrainingListener;
import dev.dpo4j.api.train.TrainingPlan;
import dev.dpo4j.api.train.TrainingSummary;
import dev.dpo4j.core.metrics.JsonlMetricsWriter;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Draws the training curves as a PNG when training ends: loss, reward accuracy and reward margin over optimizer
 * steps, each with the training (logged every {@code logging_steps}) and the evaluation series. The file goes into
 * the trained model's folder under {@link #FILE_NAME} unless another path is given. A resumed run draws the whole
 * run: the steps before the resumed one come from the output folder's {@code metrics.jsonl}.
 */
public final class TrainingCurvePlot implements TrainingListener {

    /** The default file name. */
    public static final String FILE_NAME = "training_curves.png";

    private static final Color TRAIN = new Color(31, 119, 180);
    private static final Color EVAL = new Color(255, 127, 14);

    private final Path file;
    private final int width;
    private final int height;
    private final List<DpoMetrics> train = new ArrayList<>();
    private final List<DpoMetrics> eval = new ArrayList<>();
    private Path written;
    private long startStep;

    /** Writes {@link #FILE_NAME} into the output folder of the run. */
    public TrainingCurvePlot() {
        this(null, 900, 900);
    }

    /** Writes to {@code file} (null: {@link #FILE_NAME} in the output folder) at the given size in pixels. */
    public TrainingCurvePlot(Path file, int width, int height) {
        this.file = file;
        this.width = width;
        this.height = height;
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    @Override
    public void onTrainingStart(TrainingPlan plan) {
        startStep = plan.startStep();
    }

    @Override
    public void onLog(DpoMetrics metrics) {
        train.add(metrics);
    }

    @Override
    public void onEvaluation(DpoMetrics metrics) {
        eval.add(metrics);
    }

    @Override
    public void onTrainingEnd(TrainingSummary summary) {
        Path target = file != null ? file : summary.outputDir() == null ? null
                : summary.outputDir().resolve(FILE_NAME);
        if (startStep > 0 && summary.outputDir() != null) {
            addEarlierRows(summary.outputDir().resolve(JsonlMetricsWriter.FILE_NAME));
        }
        if (target == null || (train.isEmpty() && eval.isEmpty())) {
            return;
        }
        write(target);
    }

    /** Puts the rows of {@code metrics.jsonl} up to the resumed step before the ones this run logged. */
    private void addEarlierRows(Path metricsFile) {
        if (!Files.isRegularFile(metricsFile)) {
            return;
        }
        List<DpoMetrics> earlierTrain = new ArrayList<>();
        List<DpoMetrics> earlierEval = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(metricsFile)) {
                JsonObject row = row(line);
                double step = row == null ? Double.NaN : value(row, "step");
                if (Double.isNaN(step) || step > startStep) {
                    continue;
                }
                if (row.has("loss")) {
                    earlierTrain.add(metrics(row, ""));
                } else if (row.has("eval_loss")) {
                    earlierEval.add(metrics(row, "eval_"));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + metricsFile + ": " + e.getMessage(), e);
        }
        train.addAll(0, earlierTrain);
        eval.addAll(0, earlierEval);
    }

    private static JsonObject row(String line) {
        try {
            JsonElement row = JsonParser.parseString(line);
            return row.isJsonObject() ? row.getAsJsonObject() : null;
        } catch (JsonParseException e) {
            return null;
        }
    }

    /** The plotted values of a row (the others NaN). */
    private static DpoMetrics metrics(JsonObject row, String prefix) {
        return new DpoMetrics((long) value(row, "step"), value(row, "epoch"), value(row, prefix + "loss"),
                Double.NaN, Double.NaN, value(row, prefix + "rewards/accuracies"),
                value(row, prefix + "rewards/margins"), Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                Double.NaN, Double.NaN);
    }

    private static double value(JsonObject row, String key) {
        JsonElement v = row.get(key);
        return v != null && v.isJsonPrimitive() && v.getAsJsonPrimitive().isNumber() ? v.getAsDouble() : Double.NaN;
    }

    /** The training points to draw, in step order. */
    List<DpoMetrics> trainPoints() {
        return List.copyOf(train);
    }

    /** The file written at the end of training, or null. */
    public Path written() {
        return written;
    }

    /** Renders the curves collected so far into {@code target}. */
    public void write(Path target) {
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(new NumberAxis("step"));
        plot.setGap(12);
        XYPlot loss = subplot("loss", DpoMetrics::loss, false);
        plot.add(loss, 1);
        plot.add(subplot("reward accuracy", DpoMetrics::rewardsAccuracy, true), 1);
        plot.add(subplot("reward margin", DpoMetrics::rewardsMargin, false), 1);
        plot.setFixedLegendItems(loss.getLegendItems());
        JFreeChart chart = new JFreeChart("DPO training", JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        try {
            Path parent = target.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            // ImageIO's default file cache registers a shutdown hook, which fails while Ctrl-C shuts the JVM down
            ImageIO.setUseCache(false);
            ChartUtils.saveChartAsPNG(target.toFile(), chart, width, height);
            written = target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    private XYPlot subplot(String label, ToDoubleFunction<DpoMetrics> value, boolean unitRange) {
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(series("train", train, value));
        data.addSeries(series("eval", eval, value));
        NumberAxis axis = new NumberAxis(label);
        axis.setAutoRangeIncludesZero(unitRange);
        if (unitRange) {
            axis.setRange(-0.02, 1.02);
        }
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        renderer.setSeriesPaint(0, TRAIN);
        renderer.setSeriesPaint(1, EVAL);
        renderer.setSeriesStroke(0, new BasicStroke(2f));
        renderer.setSeriesStroke(1, new BasicStroke(2f));
        renderer.setSeriesShapesVisible(0, false);
        XYPlot plot = new XYPlot(data, null, axis, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        return plot;
    }

    private static XYSeries series(String name, List<DpoMetrics> points, ToDoubleFunction<DpoMetrics> value) {
        XYSeries series = new XYSeries(name, true, true);
        for (DpoMetrics m : points) {
            double y = value.applyAsDouble(m);
            if (Double.isFinite(y)) {
                series.addOrUpdate(m.step(), y);
            }
        }
        return series;
    }
}
