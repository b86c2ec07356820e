package dev.dpo4j.core.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** The pure-DJL kernels against a head-by-head reference, and chunked against whole. */
class DjlKernelsTest {

    @Test
    void groupedQueryAttentionMatchesHeadByHeadSoftmaxAttention() {
        try (NDManager manager = NDManager.newBaseManager()) {
            manager.getEngine().setRandomSeed(7);
            int heads = 4;
            int kvHeads = 2;
            int length = 5;
            int headDim = 8;
            NDArray query = manager.randomNormal(new Shape(1, heads, length, headDim));
            NDArray key = manager.randomNormal(new Shape(1, kvHeads, length, headDim));
            NDArray value = manager.randomNormal(new Shape(1, kvHeads, length, headDim));
            NDArray rows = manager.arange(length).reshape(length, 1);
            AttentionMask mask = AttentionMask.causal(manager.arange(length).reshape(1, length).gt(rows).toType(DataType.FLOAT32, false)
                    .mul(-1e30f));

            float[] whole = Kernels.djl().attention(query, key, value, mask).toFloatArray();
            // 10 score elements per chunk: one query row at a time
            float[] chunked = Kernels.djl(10, Kernels.UPDATE_SLICE).attention(query, key, value, mask)
                    .toFloatArray();

            float[] expected = new float[heads * length * headDim];
            for (int h = 0; h < heads; h++) {
                NDArray q = query.get(new NDIndex("0, {}", h));
                NDArray k = key.get(new NDIndex("0, {}", h / (heads / kvHeads)));
                NDArray v = value.get(new NDIndex("0, {}", h / (heads / kvHeads)));
                float[] out = q.matMul(k.transpose()).div(Math.sqrt(headDim)).add(mask.additive()).softmax(-1).matMul(v)
                        .toFloatArray();
                System.arraycopy(out, 0, expected, h * length * headDim, out.length);
            }
            assertThat(whole).containsExactly(expected, within(1e-5f));
            assertThat(chunked).containsExactly(whole, within(1e-6f));
        }
    }

    @Test
    void castCopiesIntoTheType() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray source = manager.create(new float[] {1.5f, -2.25f});
            NDArray half = Kernels.djl().cast(source, DataType.FLOAT16);
            assertThat(half.getDataType()).isEqualTo(DataType.FLOAT16);
            assertThat(half).isNotSameAs(source);
            assertThat(Kernels.djl().cast(source, DataType.FLOAT32)).isNotSameAs(source);
            assertThat(half.toType(DataType.FLOAT32, false).toFloatArray()).containsExactly(1.5f, -2.25f);
        }
    }
}
