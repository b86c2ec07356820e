package dev.dpo4j.core.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.dpo4j.core.data.PairBatch;
import dev.dpo4j.core.data.PairCollator;
import dev.dpo4j.core.data.TokenizedPair;
import dev.dpo4j.core.kernels.InPlace;
import dev.dpo4j.core.model.CausalLm;
import dev.dpo4j.testing.RandomInit;
import dev.dpo4j.testing.TinyModels;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CompletionScorerTest {

    /** A head in chunks of a few tokens, with a graph, gives the scores and gradients of a head in one chunk. */
    @ParameterizedTest(name = "shared prompt {0}")
    @ValueSource(booleans = {false, true})
    void aHeadInChunksGivesTheScoresAndGradientsOfOneChunk(boolean sharePrompt) {
        try (NDManager manager = NDManager.newBaseManager();
                CausalLm model = RandomInit.create(TinyModels.config("qwen2", 50, true), manager, 4, 0.2)) {
            model.parameters().values().forEach(w -> w.setRequiresGradient(true));
            PairBatch batch = new PairCollator(0, 1, sharePrompt).collate(List.of(
                    new TokenizedPair(new int[] {3, 4, 5}, new int[] {6, 7, 8, 2}, new int[] {9, 2}),
                    new TokenizedPair(new int[] {3, 11}, new int[] {12, 2}, new int[] {13, 14, 15, 16, 2})));
            assertThat(batch.targets().length).isEqualTo(13);
            Run whole = run(model, batch, manager, 1 << 20);
            Run chunked = run(model, batch, manager, 3 * 50); // three tokens' logits: five chunks
            assertThat(chunked.logps()).containsExactly(whole.logps(), within(1e-5f));
            assertThat(chunked.meanLogits()).containsExactly(whole.meanLogits(), within(1e-5f));
            whole.gradients().forEach((name, expected) -> assertThat(chunked.gradients().get(name)).as(name)
                    .containsExactly(expected, within(1e-5f)));
            assertThat(whole.gradients().get("model.embed_tokens.weight")).as("the tied head has a gradient")
                    .isNotEqualTo(new float[whole.gradients().get("model.embed_tokens.weight").length]);
        }
    }

    private record Run(float[] logps, float[] meanLogits, Map<String, float[]> gradients) {
    }

    /** Scores with head chunks of {@code chunkElements} logits, back-propagates the sum of the log-probs. */
    private static Run run(CausalLm model, PairBatch batch, NDManager manager, long chunkElements) {
        try (NDManager scope = manager.newSubManager()) {
            PairBatch.Arrays arrays = batch.toArrays(scope);
            CompletionScorer.Scores scores;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                scores = CompletionScorer.score(model, arrays, model.weights(), DataType.FLOAT32, chunkElements);
                // a weight per sequence, so that every sequence's gradient counts differently
                collector.backward(scores.logps().mul(scope.create(new float[] {1f, -2f, 0.5f, 3f})).sum());
            }
            Map<String, float[]> gradients = new LinkedHashMap<>();
            model.parameters().forEach((name, weight) -> {
                NDArray gradient = weight.getGradient();
                gradients.put(name, gradient.toFloatArray());
                InPlace.zero(gradient);
            });
            return new Run(scores.logps().toFloatArray(), scores.meanLogits().toFloatArray(), gradients);
        }
    }
}
