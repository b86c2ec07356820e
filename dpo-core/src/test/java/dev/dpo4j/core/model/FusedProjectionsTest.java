package dev.dpo4j.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.dpo4j.core.data.PairCollator;
import dev.dpo4j.core.data.TokenizedPair;
import dev.dpo4j.core.scoring.CompletionScorer;
import dev.dpo4j.testing.RandomInit;
import dev.dpo4j.testing.TinyModels;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A frozen copy stacks q/k/v and gate/up in place: the same log-probs, and each member stays its stack's rows. */
class FusedProjectionsTest {

    private static final List<TokenizedPair> PAIRS = List.of(
            new TokenizedPair(new int[] {3, 4, 5}, new int[] {8, 9, 2}, new int[] {11, 2}));

    private NDManager manager;

    @BeforeEach
    void setUp() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "qwen2", "qwen3"})
    void aStackedFrozenCopyScoresAsItsSource(String family) {
        try (CausalLm model = RandomInit.create(TinyModels.config(family, 50, false), manager, 4, 0.2);
                CausalLm copy = model.frozenCopy(DataType.FLOAT32)) {
            assertThat(copy.weights()).isInstanceOf(FusedProjections.class);
            assertThat(model.weights()).isNotInstanceOf(FusedProjections.class);
            model.parameters().forEach((name, weight) -> assertThat(copy.parameters().get(name).getShape())
                    .as(name).isEqualTo(weight.getShape()));
            float[] expected = logps(model);
            assertThat(logps(copy)).containsExactly(expected, within(1e-5f));

            // members are views of their stack: changing one (as merging an adapter does) changes what runs
            String gate = TransformerBlock.prefix(0) + ".mlp.gate_proj";
            NDArray input = manager.randomNormal(new ai.djl.ndarray.types.Shape(2, model.config().hiddenSize()));
            List<NDArray> before = copy.weights().linears(List.of(gate, TransformerBlock.prefix(0) + ".mlp.up_proj"),
                    input, false);
            assertThat(before.get(0).toFloatArray()).containsExactly(
                    model.weights().linear(gate, input, false).toFloatArray(), within(1e-5f));
            copy.parameters().get(Weights.weightOf(gate)).muli(2f);
            List<NDArray> after = copy.weights().linears(List.of(gate, TransformerBlock.prefix(0) + ".mlp.up_proj"),
                    input, false);
            assertThat(after.get(0).toFloatArray()).containsExactly(before.get(0).mul(2f).toFloatArray(),
                    within(1e-5f));
            assertThat(after.get(1).toFloatArray()).containsExactly(before.get(1).toFloatArray(), within(1e-6f));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "qwen2"})
    void aFrozenModelStackedInPlaceKeepsItsArraysAndScores(String family) {
        try (CausalLm model = RandomInit.create(TinyModels.config(family, 50, false), manager, 4, 0.2)) {
            float[] expected = logps(model);
            NDArray gate = model.parameters().get(Weights.weightOf(TransformerBlock.prefix(1) + ".mlp.gate_proj"));
            float[] gateValues = gate.toFloatArray();
            CausalLm stacked = model.stackedInPlace();
            assertThat(stacked.weights()).isInstanceOf(FusedProjections.class);
            assertThat(stacked.stackedInPlace()).isSameAs(stacked);
            // the same array objects, now views of their stacks, with their values
            assertThat(stacked.parameters().get(Weights.weightOf(TransformerBlock.prefix(1) + ".mlp.gate_proj")))
                    .isSameAs(gate);
            assertThat(gate.toFloatArray()).containsExactly(gateValues);
            assertThat(logps(stacked)).containsExactly(expected, within(1e-5f));
        }
    }

    private float[] logps(CausalLm model) {
        try (NDManager scope = manager.newSubManager()) {
            return CompletionScorer.score(model, new PairCollator(0, 1, false).collate(PAIRS).toArrays(scope),
                    model.weights(), DataType.FLOAT32).logps().toFloatArray();
        }
    }
}
