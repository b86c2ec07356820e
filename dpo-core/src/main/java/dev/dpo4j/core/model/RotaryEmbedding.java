package dev.dpo4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Rotary position embeddings (RoPE) with base {@code rope_theta} and optional Llama 3 frequency scaling: the cosine
 * and sine tables that {@code Kernels.rotaryHeads} applies in Hugging Face's rotate-half layout.
 */
public final class RotaryEmbedding {

    private final float[] inverseFrequencies;

    /** Frequencies for the given config. */
    public RotaryEmbedding(ModelConfig config) {
        int half = config.headDim() / 2;
        inverseFrequencies = new float[half];
        for (int i = 0; i < half; i++) {
            // float32 arithmetic as transformers does, so angles match its bits as closely as possible
            float exponent = (float) (2 * i) / config.headDim();
            float inverse = (float) (1.0 / Math.pow(config.ropeTheta(), exponent));
            inverseFrequencies[i] = config.ropeScaling() == null ? inverse
                    : llama3Scaled(inverse, config.ropeScaling());
        }
    }

    private static float llama3Scaled(float inverse, ModelConfig.RopeScaling scaling) {
        double oldContext = scaling.originalMaxPositionEmbeddings();
        double lowFreqWavelength = oldContext / scaling.lowFreqFactor();
        double highFreqWavelength = oldContext / scaling.highFreqFactor();
        double wavelength = 2 * Math.PI / inverse;
        if (wavelength < highFreqWavelength) {
            return inverse;
        }
        if (wavelength > lowFreqWavelength) {
            return (float) (inverse / scaling.factor());
        }
        double smooth = (oldContext / wavelength - scaling.lowFreqFactor())
                / (scaling.highFreqFactor() - scaling.lowFreqFactor());
        return (float) ((1 - smooth) * inverse / scaling.factor() + smooth * inverse);
    }

    /** Cosine and sine tables of shape {@code (length, head_dim)} for positions {@code 0..length-1}. */
    public NDList tables(NDManager manager, int length, DataType type) {
        NDArray positions = manager.arange(0f, (float) length).reshape(length, 1);
        NDArray frequencies = manager.create(inverseFrequencies).reshape(1, inverseFrequencies.length);
        NDArray angles = positions.matMul(frequencies);
        NDArray doubled = angles.concat(angles, -1);
        return new NDList(doubled.cos().toType(type, false), doubled.sin().toType(type, false));
    }

    /**
     * Cosine and sine tables of shape {@code (batch, 1, length, head_dim)} for the positions {@code (batch, length)}
     * (int64, each below {@code length}): the rows of {@link #tables(NDManager, int, DataType)} at those positions,
     * so a token gets the same angles as at that position of a plain sequence.
     */
    public NDList tables(NDManager manager, NDArray positions, DataType type) {
        long batch = positions.getShape().get(0);
        int length = (int) positions.getShape().get(1);
        NDArray flat = positions.reshape(-1);
        NDList plain = tables(manager, length, type);
        NDList gathered = new NDList(2);
        for (NDArray table : plain) {
            gathered.add(table.get(flat).reshape(batch, 1, length, table.getShape().get(1)));
        }
        return gathered;
    }

    /** The shape {@code (length, head_dim)} of the tables, for checks. */
    public Shape tableShape(int length) {
        return new Shape(length, inverseFrequencies.length * 2L);
    }
}
