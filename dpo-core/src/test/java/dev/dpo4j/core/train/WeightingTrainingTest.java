package dev.dpo4j.core.train;

import static dev.dpo4j.testing.TrainedWeights.assertTrained;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import dev.dpo4j.api.data.PreferenceExample;
import dev.dpo4j.api.train.DpoMetrics;
import dev.dpo4j.api.train.TrainingListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Tiny end-to-end runs with WPO's weights ({@code use_weighting}) and LD-DPO ({@code ld_alpha}). */
class WeightingTrainingTest extends TinyModelTraining {

    /** Eight pairs whose rejected completion is longer than the chosen one. */
    private static List<PreferenceExample> data() {
        List<PreferenceExample> examples = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            examples.add(PreferenceExample.of("What is " + i + "+2?", "It is " + (i + 2) + ".",
                    "It is " + (i + 5) + ", I think, or maybe not."));
        }
        return examples;
    }

    private static DpoTrainer.Builder run(Path out, List<DpoMetrics> logs) {
        return trainer(out).trainData(data()).learningRate(1e-2).perDeviceTrainBatchSize(4).loggingSteps(1)
                .seed(5).listener(new TrainingListener() {
                    @Override
                    public void onLog(DpoMetrics metrics) {
                        logs.add(metrics);
                    }
                });
    }

    @ParameterizedTest(name = "precompute_ref_log_probs {0}")
    @ValueSource(booleans = {false, true})
    void ldDpoDiscountsTheLongerCompletionsTailForPolicyAndReference(boolean precompute) {
        List<DpoMetrics> plain = new ArrayList<>();
        List<DpoMetrics> ld = new ArrayList<>();
        run(tmp.resolve("plain"), plain).maxSteps(1).precomputeRefLogProbs(precompute).build().train();
        run(tmp.resolve("ld"), ld).maxSteps(1).precomputeRefLogProbs(precompute).ldAlpha(0.5).build().train();
        // the first step scores the starting weights: the chosen completions, the shorter ones, are all shared
        assertThat(ld.get(0).logpsChosen()).isCloseTo(plain.get(0).logpsChosen(), within(1e-4));
        // the rejected ones lose half of their tail's (negative) log-probs
        assertThat(ld.get(0).logpsRejected()).isGreaterThan(plain.get(0).logpsRejected() + 1.0);
        // the reference is weighted alike: the policy starts as the reference, every reward 0 and the loss ln 2
        assertThat(ld.get(0).rewardsRejected()).isCloseTo(0, within(1e-5));
        assertThat(ld.get(0).loss()).isCloseTo(Math.log(2), within(1e-5));
    }

    @Test
    void wpoAndLdDpoTrainTheModelAndLogTheTokenMetrics() throws IOException {
        Path out = tmp.resolve("out");
        List<DpoMetrics> plain = new ArrayList<>();
        List<DpoMetrics> weighted = new ArrayList<>();
        run(tmp.resolve("plain"), plain).maxSteps(1).build().train();
        run(out, weighted).maxSteps(3).useWeighting(true).ldAlpha(0.5).evalData(data().subList(0, 4)).build()
                .train();
        assertTrained(modelDir, out);
        // WPO weighs the ln 2 of each starting pair by w(chosen) w(rejected), exp of a mean that is not 0
        double first = weighted.get(0).loss();
        assertThat(first).isPositive().isFinite();
        assertThat(Math.abs(first - plain.get(0).loss())).isGreaterThan(1e-6);
        assertThat(weighted).extracting(DpoMetrics::numTokens).isSorted().doesNotHaveDuplicates();
        assertThat(weighted.get(0).entropy()).isBetween(3.0, Math.log(259) + 1e-3);
        assertThat(weighted.get(0).meanTokenAccuracy()).isBetween(0.0, 1.0);

        List<JsonObject> rows = Files.readAllLines(out.resolve("metrics.jsonl")).stream()
                .map(line -> new Gson().fromJson(line, JsonObject.class)).toList();
        JsonObject eval = rows.get(rows.size() - 1);
        assertThat(eval.keySet()).contains("eval_entropy", "eval_mean_token_accuracy", "eval_num_tokens");
        assertThat(eval.get("eval_num_tokens").getAsDouble()).isEqualTo(weighted.get(2).numTokens());
    }
}
