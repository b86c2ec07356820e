package dev.dpo4j.core.metrics;

import dev.dpo4j.api.train.DpoMetrics;

/**
 * Sums per-pair statistics over a logging interval or an evaluation and averages them into {@link DpoMetrics}.
 */
public final class MetricsAccumulator {

    private long pairs;
    private double loss;
    private double chosenRewards;
    private double rejectedRewards;
    private double correct;
    private double chosenLogps;
    private double rejectedLogps;
    private double chosenLogits;
    private double rejectedLogits;
    private long tokens;
    private final long startNanos;

    /** An empty accumulator, its clock started now. */
    public MetricsAccumulator() {
        startNanos = System.nanoTime();
    }

    /** An accumulator holding what {@code window} saved, its clock set back by the window's seconds. */
    public MetricsAccumulator(Window window) {
        pairs = window.pairs();
        loss = window.loss();
        chosenRewards = window.chosenRewards();
        rejectedRewards = window.rejectedRewards();
        correct = window.correct();
        chosenLogps = window.chosenLogps();
        rejectedLogps = window.rejectedLogps();
        chosenLogits = window.chosenLogits();
        rejectedLogits = window.rejectedLogits();
        tokens = window.tokens();
        startNanos = System.nanoTime() - (long) (window.seconds() * 1e9);
    }

    /**
     * The sums of an open logging window, saved in a checkpoint so a resumed run's first logged averages cover the
     * same steps as an uninterrupted run's.
     *
     * @param seconds the time the window had been open (for the throughput)
     */
    public record Window(long pairs, double loss, double chosenRewards, double rejectedRewards, double correct,
            double chosenLogps, double rejectedLogps, double chosenLogits, double rejectedLogits, long tokens,
            double seconds) {

        /** Validates the counts. */
        public Window {
            if (pairs < 0 || tokens < 0 || !(seconds >= 0)) {
                throw new IllegalArgumentException("pairs " + pairs + ", tokens " + tokens + " and seconds "
                        + seconds + " must not be negative");
            }
        }
    }

    /** The sums so far, to restore with {@link #MetricsAccumulator(Window)}. */
    public Window window() {
        return new Window(pairs, loss, chosenRewards, rejectedRewards, correct, chosenLogps, rejectedLogps,
                chosenLogits, rejectedLogits, tokens, (System.nanoTime() - startNanos) / 1e9);
    }

    /**
     * Adds one batch: arrays of per-pair values, all of the same length.
     *
     * @param policyTokens tokens the policy processed for the batch
     */
    public void add(float[] losses, float[] rewardsChosen, float[] rewardsRejected, float[] logpsChosen,
            float[] logpsRejected, float[] logitsChosen, float[] logitsRejected, long policyTokens) {
        for (int i = 0; i < losses.length; i++) {
            loss += losses[i];
            chosenRewards += rewardsChosen[i];
            rejectedRewards += rewardsRejected[i];
            correct += rewardsChosen[i] > rewardsRejected[i] ? 1 : 0;
            chosenLogps += logpsChosen[i];
            rejectedLogps += logpsRejected[i];
            chosenLogits += logitsChosen[i];
            rejectedLogits += logitsRejected[i];
        }
        pairs += losses.length;
        tokens += policyTokens;
    }

    /** Pairs added so far. */
    public long pairs() {
        return pairs;
    }

    /** The averages; learning rate and gradient norm are passed in (NaN for evaluations). */
    public DpoMetrics toMetrics(long step, double epoch, double learningRate, double gradNorm) {
        double n = Math.max(1, pairs);
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        return new DpoMetrics(step, epoch, loss / n, chosenRewards / n, rejectedRewards / n, correct / n,
                (chosenRewards - rejectedRewards) / n, chosenLogps / n, rejectedLogps / n, chosenLogits / n,
                rejectedLogits / n, learningRate, gradNorm, seconds > 0 ? tokens / seconds : Double.NaN);
    }
}
