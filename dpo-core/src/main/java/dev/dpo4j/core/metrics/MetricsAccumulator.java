package dev.dpo4j.core.metrics;

import dev.dpo4j.api.train.DpoMetrics;

/**
 * Sums per-pair statistics over a logging interval or an evaluation and averages them into {@link DpoMetrics}.
 * Entropy and token accuracy are averaged over micro-batches, each micro-batch's value over its tokens, as TRL
 * averages what each {@code compute_loss} call logs; {@code num_tokens} counts the training tokens of the run so
 * far, as TRL's does (an evaluation reports the training count it was run at).
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
    private double entropy;
    private double tokenAccuracy;
    private long microBatches;
    private final long trainTokensBefore;
    private final boolean countsTrainTokens;
    private final long startNanos;

    /** An empty accumulator of a run's first training window, its clock started now. */
    public MetricsAccumulator() {
        this(0, true);
    }

    private MetricsAccumulator(long trainTokensBefore, boolean countsTrainTokens) {
        this.trainTokensBefore = trainTokensBefore;
        this.countsTrainTokens = countsTrainTokens;
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
        entropy = window.entropy();
        tokenAccuracy = window.tokenAccuracy();
        microBatches = window.microBatches();
        // counting on from the window's count (an evaluation's window is converted only to be reported)
        trainTokensBefore = window.trainTokens() - window.tokens();
        countsTrainTokens = true;
        startNanos = System.nanoTime() - (long) (window.seconds() * 1e9);
    }

    /** An empty accumulator of the training window after this one, counting the run's tokens on from this one's. */
    public MetricsAccumulator next() {
        return new MetricsAccumulator(numTokens(), true);
    }

    /** An empty accumulator of an evaluation run after this training window: it reports this window's token count. */
    public MetricsAccumulator forEvaluation() {
        return new MetricsAccumulator(numTokens(), false);
    }

    /**
     * The sums of an open logging window, saved in a checkpoint so a resumed run's first logged averages cover the
     * same steps as an uninterrupted run's.
     *
     * @param seconds the time the window had been open (for the throughput)
     * @param entropy the sum of the micro-batches' mean entropies (0 in checkpoints written before it was recorded)
     * @param tokenAccuracy the sum of the micro-batches' token accuracies
     * @param microBatches how many micro-batches those sums cover
     * @param trainTokens the training tokens of the run through this window (an evaluation's: through the training
     *     window it was run in); 0 in checkpoints written before it was recorded, whose resumed count restarts
     */
    public record Window(long pairs, double loss, double chosenRewards, double rejectedRewards, double correct,
            double chosenLogps, double rejectedLogps, double chosenLogits, double rejectedLogits, long tokens,
            double seconds, double entropy, double tokenAccuracy, long microBatches, long trainTokens) {

        /** Validates the counts. */
        public Window {
            if (pairs < 0 || tokens < 0 || !(seconds >= 0) || microBatches < 0 || trainTokens < 0) {
                throw new IllegalArgumentException("pairs " + pairs + ", tokens " + tokens + ", seconds " + seconds
                        + ", micro-batches " + microBatches + " and training tokens " + trainTokens
                        + " must not be negative");
            }
        }

        /** A window without entropy, token accuracy or earlier tokens. */
        public Window(long pairs, double loss, double chosenRewards, double rejectedRewards, double correct,
                double chosenLogps, double rejectedLogps, double chosenLogits, double rejectedLogits, long tokens,
                double seconds) {
            this(pairs, loss, chosenRewards, rejectedRewards, correct, chosenLogps, rejectedLogps, chosenLogits,
                    rejectedLogits, tokens, seconds, 0, 0, 0, 0);
        }
    }

    /** The sums so far, to restore with {@link #MetricsAccumulator(Window)}. */
    public Window window() {
        return new Window(pairs, loss, chosenRewards, rejectedRewards, correct, chosenLogps, rejectedLogps,
                chosenLogits, rejectedLogits, tokens, (System.nanoTime() - startNanos) / 1e9, entropy, tokenAccuracy,
                microBatches, numTokens());
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

    /** Adds one micro-batch's entropy and token accuracy. */
    public void add(TokenMetrics metrics) {
        entropy += metrics.entropy();
        tokenAccuracy += metrics.meanTokenAccuracy();
        microBatches++;
    }

    /**
     * One micro-batch's token metrics, as TRL logs them per {@code compute_loss} call.
     *
     * @param entropy the policy's mean predictive entropy over the completion tokens, chosen and rejected (0: none)
     * @param meanTokenAccuracy the share of chosen completion tokens that are the policy's most probable one
     *     (0: none)
     */
    public record TokenMetrics(double entropy, double meanTokenAccuracy) {
    }

    /** Pairs added so far. */
    public long pairs() {
        return pairs;
    }

    /** The training tokens of the run up to now (through this window, when it is a training one). */
    public long numTokens() {
        return trainTokensBefore + (countsTrainTokens ? tokens : 0);
    }

    /** The averages; learning rate and gradient norm are passed in (NaN for evaluations). */
    public DpoMetrics toMetrics(long step, double epoch, double learningRate, double gradNorm) {
        double n = Math.max(1, pairs);
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        double batches = microBatches > 0 ? microBatches : Double.NaN;
        return new DpoMetrics(step, epoch, loss / n, chosenRewards / n, rejectedRewards / n, correct / n,
                (chosenRewards - rejectedRewards) / n, chosenLogps / n, rejectedLogps / n, chosenLogits / n,
                rejectedLogits / n, learningRate, gradNorm, seconds > 0 ? tokens / seconds : Double.NaN,
                entropy / batches, tokenAccuracy / batches, numTokens());
    }
}
