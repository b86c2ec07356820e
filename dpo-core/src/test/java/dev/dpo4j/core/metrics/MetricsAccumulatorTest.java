package dev.dpo4j.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.google.gson.Gson;
import dev.dpo4j.api.train.DpoMetrics;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** TRL's entropy, mean_token_accuracy and num_tokens as the accumulator averages and counts them. */
class MetricsAccumulatorTest {

    private static void addPairs(MetricsAccumulator metrics, long tokens) {
        float[] one = {0.5f};
        metrics.add(one, one, one, one, one, one, one, tokens);
    }

    @Test
    void entropyAndAccuracyAreMeansOverMicroBatchesAndTokensCountOverTheRun() {
        MetricsAccumulator first = new MetricsAccumulator();
        addPairs(first, 100);
        first.add(new MetricsAccumulator.TokenMetrics(0.7, 0.6));
        addPairs(first, 50);
        first.add(new MetricsAccumulator.TokenMetrics(0.5, 1.0));
        DpoMetrics logged = first.toMetrics(2, 0.5, 1e-3, 1.0);
        assertThat(logged.entropy()).isCloseTo(0.6, within(1e-12));
        assertThat(logged.meanTokenAccuracy()).isCloseTo(0.8, within(1e-12));
        assertThat(logged.numTokens()).isEqualTo(150);

        MetricsAccumulator second = first.next();
        addPairs(second, 30);
        MetricsAccumulator evaluation = second.forEvaluation();
        addPairs(evaluation, 1000);
        evaluation.add(new MetricsAccumulator.TokenMetrics(2.0, 0.25));
        // an evaluation reports the training tokens so far, as TRL's eval_num_tokens
        Map<String, Double> eval = evaluation.toMetrics(3, 0.75, Double.NaN, Double.NaN).toMap("eval_");
        assertThat(eval).containsEntry("eval_num_tokens", 180.0).containsEntry("eval_entropy", 2.0)
                .containsEntry("eval_mean_token_accuracy", 0.25);
        // so does its window, as the ranks' summed windows are reported
        assertThat(new MetricsAccumulator(evaluation.window()).toMetrics(3, 0.75, Double.NaN, Double.NaN)
                .numTokens()).isEqualTo(180);
        // a window without token metrics leaves them out of the row, and counts on
        Map<String, Double> train = second.toMetrics(3, 0.75, 1e-3, 1.0).toMap("");
        assertThat(train).containsEntry("num_tokens", 180.0).doesNotContainKeys("entropy", "mean_token_accuracy");
        assertThat(second.next().numTokens()).isEqualTo(180);
    }

    @Test
    void aSavedWindowKeepsTheTokenMetricsAndAnOlderOneReadsAsNone() {
        MetricsAccumulator metrics = new MetricsAccumulator();
        addPairs(metrics, 40);
        metrics.add(new MetricsAccumulator.TokenMetrics(1.5, 0.5));
        MetricsAccumulator next = metrics.next();
        addPairs(next, 10);
        next.add(new MetricsAccumulator.TokenMetrics(2.5, 0.75));
        Gson gson = new Gson();
        MetricsAccumulator.Window window = gson.fromJson(gson.toJson(next.window()), MetricsAccumulator.Window.class);
        DpoMetrics resumed = new MetricsAccumulator(window).toMetrics(2, 1, 1e-3, 1);
        assertThat(resumed.entropy()).isEqualTo(2.5);
        assertThat(resumed.meanTokenAccuracy()).isEqualTo(0.75);
        assertThat(resumed.numTokens()).isEqualTo(50);

        // written before these metrics existed: no micro-batches counted, and the token count restarts
        MetricsAccumulator.Window older = gson.fromJson("{\"pairs\":1,\"loss\":0.5,\"tokens\":7,\"seconds\":1.0}",
                MetricsAccumulator.Window.class);
        MetricsAccumulator fromOlder = new MetricsAccumulator(older);
        assertThat(fromOlder.toMetrics(1, 1, 1e-3, 1).entropy()).isNaN();
        addPairs(fromOlder, 5);
        assertThat(fromOlder.toMetrics(1, 1, 1e-3, 1).numTokens()).isEqualTo(5);
    }
}
