package dev.dpo4j.core.metrics;

import dev.dpo4j.api.train.DpoMetrics;
import dev.dpo4j.api.train.TrainingListener;
import dev.dpo4j.api.train.TrainingPlan;
import dev.dpo4j.api.train.TrainingSummary;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import me.tongfei.progressbar.InteractiveConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;

/**
 * Training progress on the console: on a terminal a progress bar over optimizer steps showing loss, reward accuracy,
 * margin, tokens/s and ETA, fitted to the terminal's width ({@code COLUMNS} when set) with the numbers kept; without
 * one (output to a file or a pipe) one plain line per {@code logging_steps}, with no cursor codes or carriage returns.
 * Each evaluation is printed on a line of its own. Prints to the given stream (standard error by default).
 */
public final class ConsoleProgress implements TrainingListener {

    private final PrintStream out;
    private final boolean interactive;
    private ProgressBar bar;
    private long startStep;
    private long totalSteps;
    private long startNanos;

    /** On standard error: a bar when the JVM has a console ({@link System#console()}), else plain lines. */
    public ConsoleProgress() {
        this(System.err, System.console() != null);
    }

    /** A progress bar on the given stream. */
    public ConsoleProgress(PrintStream out) {
        this(out, true);
    }

    /** On the given stream: a progress bar if {@code interactive}, else one plain line per logged step. */
    public ConsoleProgress(PrintStream out, boolean interactive) {
        this.out = out;
        this.interactive = interactive;
    }

    /** Whether this shows a progress bar rather than plain lines. */
    public boolean interactive() {
        return interactive;
    }

    @Override
    public void onTrainingStart(TrainingPlan plan) {
        startStep = plan.startStep();
        totalSteps = plan.totalSteps();
        startNanos = System.nanoTime();
        if (interactive) {
            bar = new ProgressBarBuilder().setTaskName("dpo").setInitialMax(plan.totalSteps())
                    .startsFrom(plan.startStep(), Duration.ZERO).setRenderer(new StepBarRenderer())
                    .setConsumer(new InteractiveConsoleProgressBarConsumer(out, StepBarRenderer.columns()))
                    .setUpdateIntervalMillis(250).build();
        }
    }

    @Override
    public void onStep(long step, long totalSteps) {
        if (bar != null) {
            bar.stepTo(step);
        }
    }

    @Override
    public void onLog(DpoMetrics m) {
        if (bar != null) {
            bar.setExtraMessage(String.format(Locale.ROOT, "loss %.4f acc %.2f margin %.3f %.0f tok/s", m.loss(),
                    m.rewardsAccuracy(), m.rewardsMargin(), m.tokensPerSecond()));
        } else if (!interactive) {
            out.println(plainLine(m, Duration.ofNanos(System.nanoTime() - startNanos)));
            out.flush();
        }
    }

    /** The plain line of a logged step, {@code elapsed} after this run's first step. */
    String plainLine(DpoMetrics m, Duration elapsed) {
        long step = m.step();
        long done = step - startStep;
        String eta = done <= 0 ? "?" : StepBarRenderer.clock(elapsed.multipliedBy(totalSteps - step).dividedBy(done));
        return String.format(Locale.ROOT, "step %d/%d (%d%%): loss %.4f, reward accuracy %.3f, reward margin %.3f, "
                + "%.0f tokens/s, %s elapsed, ETA %s", step, totalSteps, totalSteps == 0 ? 100 : 100 * step
                / totalSteps, m.loss(), m.rewardsAccuracy(), m.rewardsMargin(), m.tokensPerSecond(),
                StepBarRenderer.clock(elapsed), eta);
    }

    @Override
    public void onEvaluation(DpoMetrics m) {
        out.printf(Locale.ROOT, "%seval @ step %d: loss %.4f, rewards/accuracies %.3f, rewards/margins %.4f%n",
                interactive ? System.lineSeparator() : "", m.step(), m.loss(), m.rewardsAccuracy(),
                m.rewardsMargin());
        out.flush();
    }

    @Override
    public void onTrainingEnd(TrainingSummary summary) {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
