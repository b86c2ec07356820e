package dev.dpo4j.core.metrics;

import dev.dpo4j.api.train.DpoMetrics;
import dev.dpo4j.api.train.TrainingListener;
import dev.dpo4j.api.train.TrainingPlan;
import dev.dpo4j.api.train.TrainingSummary;
import java.io.PrintStream;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A console progress bar over optimizer steps showing loss, reward accuracy, margin, tokens/s and ETA, with each
 * evaluation printed on a line of its own. Prints to the given stream (standard error by default).
 */
public final class ConsoleProgress implements TrainingListener {

    private final PrintStream out;
    private ProgressBar bar;

    /** A progress bar on standard error. */
    public ConsoleProgress() {
        this(System.err);
    }

    /** A progress bar on the given stream. */
    public ConsoleProgress(PrintStream out) {
        this.out = out;
    }

    @Override
    public void onTrainingStart(TrainingPlan plan) {
        bar = new ProgressBarBuilder().setTaskName("dpo").setInitialMax(plan.totalSteps())
                .startsFrom(plan.startStep(), java.time.Duration.ZERO).setStyle(ProgressBarStyle.ASCII)
                .setConsumer(new me.tongfei.progressbar.InteractiveConsoleProgressBarConsumer(out))
                .setUpdateIntervalMillis(250).showSpeed().build();
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
            bar.setExtraMessage(String.format(Locale.ROOT, " | loss %.4f acc %.2f margin %.3f %.0f tok/s", m.loss(),
                    m.rewardsAccuracy(), m.rewardsMargin(), m.tokensPerSecond()));
        }
    }

    @Override
    public void onEvaluation(DpoMetrics m) {
        out.printf(Locale.ROOT, "%neval @ step %d: loss %.4f, rewards/accuracies %.3f, rewards/margins %.4f%n",
                m.step(), m.loss(), m.rewardsAccuracy(), m.rewardsMargin());
    }

    @Override
    public void onTrainingEnd(TrainingSummary summary) {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
