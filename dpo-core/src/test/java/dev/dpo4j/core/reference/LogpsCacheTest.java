package dev.dpo4j.core.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.dpo4j.core.data.PairBatch;
import dev.dpo4j.core.data.PairCollator;
import dev.dpo4j.core.data.PreparedData;
import dev.dpo4j.core.data.TokenizedPair;
import dev.dpo4j.core.model.Weights;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LogpsCacheTest {

    private static final PairCollator COLLATOR = new PairCollator(0, 1, false);

    @TempDir
    Path tmp;
    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    /** A reference of one tensor whose log-probs number the pairs in the order scored; it counts pairs and batches. */
    private final class Counting implements ReferenceLogps {
        private final NDArray weight;
        private final List<Integer> batches = new ArrayList<>();
        private int scored;

        Counting(float... weights) {
            weight = manager.create(weights);
        }

        @Override
        public NDArray logps(int[] pairIndices, PairBatch.Arrays arrays, NDManager scope) {
            int n = pairIndices.length;
            float[] values = new float[2 * n];
            for (int i = 0; i < n; i++) {
                values[i] = -(scored + i + 1) / 3f;
                values[n + i] = values[i] - 0.5f;
            }
            scored += n;
            batches.add(n);
            return scope.create(values);
        }

        @Override
        public ReferenceContent content() {
            return new ReferenceContent("{\"model_type\":\"test\"}", Map.of("w", weight));
        }

        @Override
        public ReferenceLogps on(NDManager scope, Weights referenceView) {
            return this;
        }

        @Override
        public void close() {
        }
    }

    private static PreparedData pairs(int count, int changed) {
        List<TokenizedPair> pairs = IntStream.range(0, count).mapToObj(i -> new TokenizedPair(new int[] {1, 2, i},
                new int[] {3, i == changed ? 99 : 4}, new int[] {5, 6, 7})).toList();
        return new PreparedData(pairs, 0);
    }

    private float[] values(ReferenceLogps table, int count) {
        return table.logps(IntStream.range(0, count).toArray(), null, manager).toFloatArray();
    }

    private LogpsCache cache(Counting reference, DataType computeType) {
        return LogpsCache.open(tmp.resolve("cache"), reference, computeType, manager);
    }

    private float[] run(Counting reference, PreparedData data, int batchSize) {
        LogpsCache cache = cache(reference, DataType.FLOAT32);
        float[] values = values(cache.precompute(reference, data, COLLATOR, batchSize, manager, "train"),
                data.pairs().size());
        cache.save(manager);
        return values;
    }

    @Test
    void aSecondRunReusesEveryPairBitForBitWithoutScoring() {
        Counting first = new Counting(1, 2, 3);
        float[] computed = run(first, pairs(5, -1), 2);
        assertThat(first.batches).containsExactly(2, 2, 1);
        assertThat(computed[0]).isEqualTo(-1 / 3f);

        Counting second = new Counting(1, 2, 3);
        assertThat(run(second, pairs(5, -1), 2)).containsExactly(computed);
        assertThat(second.scored).isZero();
        // a subset of the pairs reuses them too
        assertThat(run(second, pairs(3, -1), 2))
                .containsExactly(computed[0], computed[1], computed[2], computed[5], computed[6], computed[7]);
        assertThat(second.scored).isZero();
    }

    @Test
    void scoresOnlyThePairsItDoesNotHold() throws Exception {
        run(new Counting(1, 2, 3), pairs(5, -1), 8);
        Counting second = new Counting(1, 2, 3);
        LogpsCache cache = cache(second, DataType.FLOAT32);
        float[] values = values(cache.precompute(second, pairs(6, 2), COLLATOR, 8, manager, "train"), 6);
        cache.save(manager);
        assertThat(second.scored).as("the changed pair and the new one").isEqualTo(2);
        assertThat(values[0]).isEqualTo(-1 / 3f);
        assertThat(values[2]).isEqualTo(-1 / 3f); // the changed pair, scored first in the second run
        assertThat(LogpsFile.read(cache.file(), cache.file().getFileName().toString()
                .replace("ref-logps-", "").replace(".safetensors", ""), manager)).hasSize(7);
    }

    @Test
    void anotherReferenceOrComputeTypeMisses() {
        Counting first = new Counting(1, 2, 3);
        Path file = cache(first, DataType.FLOAT32).file();
        assertThat(cache(new Counting(1, 2, 3.0001f), DataType.FLOAT32).file()).isNotEqualTo(file);
        assertThat(cache(new Counting(1, 2, 3), DataType.FLOAT16).file()).isNotEqualTo(file);
        assertThat(cache(new Counting(1, 2, 3), DataType.FLOAT32).file()).isEqualTo(file);
    }

    @ParameterizedTest
    @ValueSource(strings = {"truncated", "altered", "garbage"})
    void aDamagedFileIsScoredAgainWithAWarning(String damage) throws Exception {
        float[] computed = run(new Counting(1, 2, 3), pairs(4, -1), 4);
        Path file = cache(new Counting(1, 2, 3), DataType.FLOAT32).file();
        byte[] bytes = Files.readAllBytes(file);
        switch (damage) {
            case "truncated" -> Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 4));
            case "altered" -> {
                bytes[bytes.length - 1] ^= 0x40; // a rejected log-prob's sign bit
                Files.write(file, bytes);
            }
            default -> Files.writeString(file, "not a cache");
        }
        Counting again = new Counting(1, 2, 3);
        String log = stderrOf(() -> assertThat(run(again, pairs(4, -1), 4)).containsExactly(computed));
        assertThat(log).contains("WARN").contains(file.toString()).contains("is damaged");
        assertThat(again.scored).isEqualTo(4);
        Counting third = new Counting(1, 2, 3);
        run(third, pairs(4, -1), 4);
        assertThat(third.scored).as("the rewritten file is whole").isZero();
    }

    @Test
    void aFolderThatCannotBeCreatedIsAnErrorNamingTheOption() throws Exception {
        Files.writeString(tmp.resolve("file"), "x");
        assertThatThrownBy(() -> LogpsCache.open(tmp.resolve("file"), new Counting(1), DataType.FLOAT32, manager))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ref_logps_cache_dir");
    }

    private static String stderrOf(Runnable action) {
        PrintStream saved = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(saved);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
