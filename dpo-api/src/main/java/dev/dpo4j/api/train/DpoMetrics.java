package dev.dpo4j.api.train;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Metrics of one logging interval (training) or one evaluation, named in {@link #toMap(String)} as TRL's
 * DPOTrainer names them. Rewards are the implicit DPO rewards {@code beta * (log pi - log pi_ref)}; log-probs
 * are summed over completion tokens; logits are the mean completion logit. Values that do not apply (the
 * learning rate of an evaluation, say) are {@code NaN}.
 *
 * @param step the optimizer step the interval ended at
 * @param epoch the fractional epoch at that step
 * @param loss mean loss
 * @param rewardsChosen mean implicit reward of chosen completions
 * @param rewardsRejected mean implicit reward of rejected completions
 * @param rewardsAccuracy fraction of pairs whose chosen reward exceeds the rejected one
 * @param rewardsMargin mean of chosen minus rejected reward
 * @param logpsChosen mean policy log-prob of chosen completions
 * @param logpsRejected mean policy log-prob of rejected completions
 * @param logitsChosen mean logit over chosen completion tokens
 * @param logitsRejected mean logit over rejected completion tokens
 * @param learningRate learning rate of the last step
 * @param gradNorm global gradient norm before clipping, of the last step
 * @param tokensPerSecond policy tokens (prompt and completion, chosen and rejected) processed per second
 * @param entropy mean entropy of the policy's predictive distribution over completion tokens (chosen and rejected)
 * @param meanTokenAccuracy share of chosen completion tokens that are the policy's most probable token
 * @param numTokens policy tokens (prompt and completion, chosen and rejected) trained on so far in the run
 */
public record DpoMetrics(long step, double epoch, double loss, double rewardsChosen, double rewardsRejected,
        double rewardsAccuracy, double rewardsMargin, double logpsChosen, double logpsRejected,
        double logitsChosen, double logitsRejected, double learningRate, double gradNorm,
        double tokensPerSecond, double entropy, double meanTokenAccuracy, double numTokens) {

    /** Metrics without entropy, token accuracy and token count (NaN). */
    public DpoMetrics(long step, double epoch, double loss, double rewardsChosen, double rewardsRejected,
            double rewardsAccuracy, double rewardsMargin, double logpsChosen, double logpsRejected,
            double logitsChosen, double logitsRejected, double learningRate, double gradNorm,
            double tokensPerSecond) {
        this(step, epoch, loss, rewardsChosen, rewardsRejected, rewardsAccuracy, rewardsMargin, logpsChosen,
                logpsRejected, logitsChosen, logitsRejected, learningRate, gradNorm, tokensPerSecond, Double.NaN,
                Double.NaN, Double.NaN);
    }

    /**
     * The metrics under TRL's names ({@code loss}, {@code rewards/chosen}, ...), each prefixed (TRL prefixes
     * evaluation metrics with {@code eval_}); {@code step} and {@code epoch} are never prefixed; NaN values are
     * left out.
     */
    public Map<String, Double> toMap(String prefix) {
        Map<String, Double> map = new LinkedHashMap<>();
        map.put("step", (double) step);
        map.put("epoch", epoch);
        put(map, prefix + "loss", loss);
        put(map, prefix + "rewards/chosen", rewardsChosen);
        put(map, prefix + "rewards/rejected", rewardsRejected);
        put(map, prefix + "rewards/accuracies", rewardsAccuracy);
        put(map, prefix + "rewards/margins", rewardsMargin);
        put(map, prefix + "logps/chosen", logpsChosen);
        put(map, prefix + "logps/rejected", logpsRejected);
        put(map, prefix + "logits/chosen", logitsChosen);
        put(map, prefix + "logits/rejected", logitsRejected);
        put(map, prefix + "entropy", entropy);
        put(map, prefix + "mean_token_accuracy", meanTokenAccuracy);
        put(map, prefix + "num_tokens", numTokens);
        put(map, prefix + "learning_rate", learningRate);
        put(map, prefix + "grad_norm", gradNorm);
        put(map, prefix + "tokens_per_second", tokensPerSecond);
        return map;
    }

    private static void put(Map<String, Double> map, String key, double value) {
        if (!Double.isNaN(value)) {
            map.put(key, value);
        }
    }
}
