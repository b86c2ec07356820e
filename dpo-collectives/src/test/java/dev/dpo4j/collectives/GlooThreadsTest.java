package dev.dpo4j.collectives;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Gloo's collectives among 2 and 3 ranks that are threads of this JVM, against hand-computed values. */
class GlooThreadsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void allReduceSumsFloatsAndDoublesInPlace(int worldSize) throws Exception {
        List<float[]> floats = ThreadRanks.run(worldSize, TIMEOUT, (c, m) -> {
            NDArray x = m.create(new float[] {c.rank() + 1, 10 * (c.rank() + 1), -0.5f}).reshape(3, 1);
            c.allReduceSum(x);
            return x.toFloatArray();
        });
        // 1 + 2 (+ 3), 10 + 20 (+ 30), -0.5 per rank
        float[] expected = worldSize == 2 ? new float[] {3, 30, -1} : new float[] {6, 60, -1.5f};
        floats.forEach(sum -> assertThat(sum).containsExactly(expected));
        List<double[]> doubles = ThreadRanks.run(worldSize, TIMEOUT, (c, m) -> {
            NDArray x = m.create(new double[] {1e-9 * c.rank(), 1});
            c.allReduceSum(x);
            return x.toDoubleArray();
        });
        double tiny = worldSize == 2 ? 1e-9 : 3e-9;
        doubles.forEach(sum -> {
            assertThat(sum[0]).isCloseTo(tiny, within(1e-20));
            assertThat(sum[1]).isEqualTo(worldSize);
        });
    }

    @Test
    void reduceScatterLeavesEachRankItsPartOfTheSum() throws Exception {
        List<float[]> shards = ThreadRanks.run(3, TIMEOUT, (c, m) -> {
            float[] all = new float[6];
            for (int step = 0; step < 3; step++) {
                // new arrays each step; rank r holds r * 100 + step + i at position i; a longer one in between
                NDArray input = m.arange(6f).add(100f * c.rank() + step);
                NDArray shard = m.zeros(new Shape(2));
                c.reduceScatterSum(input, shard);
                assertThat(input.toFloatArray()[5]).isEqualTo(100f * c.rank() + step + 5);
                System.arraycopy(shard.toFloatArray(), 0, all, 2 * (step % 3), 2);
                c.reduceScatterSum(m.ones(new Shape(9)), m.zeros(new Shape(3)));
            }
            return all;
        });
        // sum at i: 0 + 100 + 200 + 3 * (step + i); rank r gets positions 2r and 2r + 1
        assertThat(shards.get(0)).containsExactly(300, 303, 303, 306, 306, 309);
        assertThat(shards.get(1)).containsExactly(306, 309, 309, 312, 312, 315);
        assertThat(shards.get(2)).containsExactly(312, 315, 315, 318, 318, 321);
    }

    @Test
    void reduceScatterOfALargerBufferWithTwoRanks() throws Exception {
        int n = 1 << 16;
        List<float[]> shards = ThreadRanks.run(2, TIMEOUT, (c, m) -> {
            NDArray input = m.arange((float) n).mul(c.rank() + 1);
            NDArray shard = m.zeros(new Shape(n / 2));
            c.reduceScatterSum(input, shard);
            return shard.toFloatArray();
        });
        // i * 1 + i * 2
        for (int r = 0; r < 2; r++) {
            float[] shard = shards.get(r);
            for (int j = 0; j < n / 2; j += 997) {
                assertThat(shard[j]).isEqualTo(3f * (r * n / 2 + j));
            }
        }
    }

    @Test
    void allGatherMovesBytesOfAnyType() throws Exception {
        List<int[]> gathered = ThreadRanks.run(3, TIMEOUT, (c, m) -> {
            NDArray output = m.zeros(new Shape(3, 2), DataType.INT32);
            c.allGather(m.create(new int[] {c.rank(), -c.rank() - 1}), output);
            return output.toIntArray();
        });
        gathered.forEach(all -> assertThat(all).containsExactly(0, -1, 1, -2, 2, -3));
        List<byte[]> bytes = ThreadRanks.run(2, TIMEOUT, (c, m) -> {
            NDArray output = m.zeros(new Shape(6), DataType.INT8);
            c.allGather(m.create(new byte[] {(byte) (c.rank() + 1), 7, (byte) 200}), output);
            return output.toByteArray();
        });
        bytes.forEach(all -> assertThat(all).containsExactly(1, 7, (byte) 200, 2, 7, (byte) 200));
    }

    @Test
    void theDoubleHelpersSumAndGather() throws Exception {
        List<double[]> results = ThreadRanks.run(3, TIMEOUT, (c, m) -> {
            double[] values = {c.rank(), 0.25};
            c.allReduceSum(values);
            double[] gathered = c.allGather(new double[] {c.rank() * 10, -c.rank()});
            return new double[] {values[0], values[1], gathered[0], gathered[1], gathered[2], gathered[3],
                    gathered[4], gathered[5]};
        });
        results.forEach(r -> assertThat(r).containsExactly(3, 0.75, 0, 0, 10, -1, 20, -2));
    }

    @Test
    void broadcastCopiesTheRootsBuffer() throws Exception {
        List<float[]> results = ThreadRanks.run(3, TIMEOUT, (c, m) -> {
            NDArray x = c.rank() == 1 ? m.create(new float[] {7, 8}) : m.zeros(new Shape(2));
            c.broadcast(x, 1);
            return x.toFloatArray();
        });
        results.forEach(r -> assertThat(r).containsExactly(7, 8));
    }

    @Test
    void barrierWaitsForTheSlowestRank() throws Exception {
        List<Long> waited = ThreadRanks.run(2, TIMEOUT, (c, m) -> {
            c.barrier();
            if (c.rank() == 1) {
                Thread.sleep(400);
            }
            long start = System.nanoTime();
            c.barrier();
            return (System.nanoTime() - start) / 1_000_000;
        });
        assertThat(waited.get(0)).isGreaterThanOrEqualTo(300);
    }

    @Test
    void badArraysAreRefusedBeforeAnyRankWaits() throws Exception {
        List<List<String>> messages = ThreadRanks.run(2, TIMEOUT, (c, m) -> List.of(
                message(() -> c.allReduceSum(m.create(new int[] {1}))),
                message(() -> c.reduceScatterSum(m.zeros(new Shape(5)), m.zeros(new Shape(2)))),
                message(() -> c.reduceScatterSum(m.zeros(new Shape(4), DataType.FLOAT64),
                        m.zeros(new Shape(2), DataType.FLOAT64))),
                message(() -> c.allGather(m.zeros(new Shape(2)), m.zeros(new Shape(4), DataType.INT32))),
                message(() -> c.allReduceSum(m.arange(6f).reshape(2, 3).transpose())),
                message(() -> c.broadcast(m.zeros(new Shape(1)), 2))));
        assertThat(messages.get(0)).satisfiesExactly(
                s -> assertThat(s).contains("float32 and float64 arrays, not int32"),
                s -> assertThat(s).contains("must hold 2 times the shard's 2 elements"),
                s -> assertThat(s).contains("sums float32 arrays, not input float64"),
                s -> assertThat(s).contains("must be of one type"),
                s -> assertThat(s).contains("is not contiguous"),
                s -> assertThat(s).contains("root 2 is not a rank of 2"));
    }

    @Test
    void aClosedGroupSaysSo() throws Exception {
        ThreadRanks.run(2, TIMEOUT, (c, m) -> {
            c.close();
            assertThatThrownBy(c::barrier).hasMessageContaining("group is closed");
            return null;
        });
    }

    private static String message(Runnable call) {
        try {
            call.run();
            return "no error";
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }
}
