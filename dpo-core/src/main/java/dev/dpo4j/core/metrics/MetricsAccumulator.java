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
    private final long startNanos = System.nanoTime();

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
