package dev.dpo4j.core.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import dev.dpo4j.testing.TinyModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rows of {@code metrics.jsonl}, named as TRL's DPOTrainer and transformers' Trainer name them. */
class MetricsFileTest extends TinyModelTraining {

    /** TRL's DPO metrics; evaluation rows carry them with the {@code eval_} prefix. */
    private static final List<String> DPO_KEYS = List.of("loss", "rewards/chosen", "rewards/rejected",
            "rewards/accuracies", "rewards/margins", "logps/chosen", "logps/rejected", "logits/chosen",
            "logits/rejected", "entropy", "mean_token_accuracy", "num_tokens");

    @Test
    void trainAndEvalRowsHaveTrlsKeys() throws IOException {
        Path out = tmp.resolve("out");
        // 16 pairs in batches of 4: 4 steps an epoch; log and evaluate every 2 steps
        trainer(out).perDeviceTrainBatchSize(4).maxSteps(4).loggingSteps(2).evalSteps(2)
                .evalData(TinyModels.arithmetic(4)).build().train();

        List<JsonObject> rows = Files.readAllLines(out.resolve("metrics.jsonl")).stream()
                .map(line -> new Gson().fromJson(line, JsonObject.class)).toList();
        assertThat(rows).hasSize(4);
        // transformers' own keys, then TRL's, then dpo4j's throughput (not a TRL key)
        List<String> trainKeys = new java.util.ArrayList<>(List.of("step", "epoch"));
        trainKeys.addAll(DPO_KEYS);
        trainKeys.addAll(List.of("learning_rate", "grad_norm", "tokens_per_second"));
        List<String> evalKeys = new java.util.ArrayList<>(List.of("step", "epoch"));
        DPO_KEYS.forEach(key -> evalKeys.add("eval_" + key));
        evalKeys.add("eval_tokens_per_second");

        // each logging step writes its training row, then its evaluation row
        for (int i = 0; i < 4; i++) {
            JsonObject row = rows.get(i);
            assertThat(row.keySet()).as("row %d", i).containsExactlyElementsOf(i % 2 == 0 ? trainKeys : evalKeys);
            long step = 2L * (i / 2 + 1);
            assertThat(row.get("step").getAsLong()).isEqualTo(step);
            assertThat(row.get("epoch").getAsDouble()).isEqualTo(step / 4.0);
        }
        assertThat(rows.get(1).get("eval_rewards/accuracies").getAsDouble()).isBetween(0.0, 1.0);
        // num_tokens counts the run's training tokens; an evaluation row reports the count at its step
        double firstTokens = rows.get(0).get("num_tokens").getAsDouble();
        assertThat(firstTokens).isPositive();
        assertThat(rows.get(1).get("eval_num_tokens").getAsDouble()).isEqualTo(firstTokens);
        assertThat(rows.get(2).get("num_tokens").getAsDouble()).isGreaterThan(firstTokens)
                .isEqualTo(rows.get(3).get("eval_num_tokens").getAsDouble());
        // a near-uniform random model: entropy near ln 259 (its vocabulary), few argmax hits
        assertThat(rows.get(0).get("entropy").getAsDouble()).isBetween(4.0, Math.log(259) + 1e-3);
        assertThat(rows.get(1).get("eval_mean_token_accuracy").getAsDouble()).isBetween(0.0, 1.0);
        assertThat(rows.get(0).get("learning_rate").getAsDouble()).isPositive();
    }
}
