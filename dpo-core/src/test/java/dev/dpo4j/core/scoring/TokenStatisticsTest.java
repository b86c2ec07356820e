package dev.dpo4j.core.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Entropy, argmax hits and WPO's aligned log-probs of single tokens, against values worked out by hand. */
class TokenStatisticsTest {

    /**
     * Three positions over a vocabulary of 3 with probabilities (0.5, 0.25, 0.25) target 1, (0.2, 0.2, 0.6) target 2,
     * (0.4, 0.4, 0.2) target 1 (a tie: argmax takes the first, so it misses).
     */
    @ParameterizedTest(name = "slices of {0} elements")
    @ValueSource(longs = {1 << 24, 3, 6})
    void handComputedOnAThreeTokenVocabulary(long sliceElements) {
        double[][] p = {{0.5, 0.25, 0.25}, {0.2, 0.2, 0.6}, {0.4, 0.4, 0.2}};
        float[] logSoftmax = new float[9];
        for (int t = 0; t < 3; t++) {
            for (int v = 0; v < 3; v++) {
                logSoftmax[3 * t + v] = (float) Math.log(p[t][v]);
            }
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray ls = manager.create(logSoftmax, new Shape(3, 3));
            NDArray targets = manager.create(new long[] {1, 2, 1});
            NDList stats = TokenStatistics.ofTokens(ls, targets, sliceElements);
            double ln2 = Math.log(2);
            // -(0.5 ln 0.5 + 2 * 0.25 ln 0.25) = 0.5 ln 2 + ln 2
            double entropy0 = 1.5 * ln2;
            double entropy1 = -(2 * 0.2 * Math.log(0.2) + 0.6 * Math.log(0.6));
            double entropy2 = -(2 * 0.4 * Math.log(0.4) + 0.2 * Math.log(0.2));
            assertThat(toDoubles(stats.get(0))).containsExactly(new double[] {entropy0, entropy1, entropy2},
                    within(1e-6));
            assertThat(stats.get(1).getDataType()).isEqualTo(DataType.FLOAT32);
            assertThat(stats.get(1).toFloatArray()).containsExactly(0f, 1f, 0f);
            // log p(y) - log sum p^2: ln(0.25 / 0.375), ln(0.6 / 0.44), ln(0.4 / 0.36)
            assertThat(toDoubles(stats.get(2))).containsExactly(new double[] {Math.log(2.0 / 3), Math.log(0.6 / 0.44),
                    Math.log(0.4 / 0.36)}, within(1e-6));
        }
    }

    private static double[] toDoubles(NDArray array) {
        float[] values = array.toFloatArray();
        double[] doubles = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            doubles[i] = values[i];
        }
        return doubles;
    }
}
