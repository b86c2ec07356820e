package dev.dpo4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;

/** The SwiGLU feed-forward block: {@code down(silu(gate(x)) * up(x))}. */
public final class MlpBlock {

    private final String prefix;

    /** The MLP of decoder layer {@code layer}. */
    public MlpBlock(int layer) {
        this.prefix = "model.layers." + layer + ".mlp.";
    }

    /** Applies the block to {@code x} of shape {@code (batch, length, hidden)}. */
    public NDArray forward(NDArray x, Weights weights) {
        NDArray gate = Linear.linear(x, weights.get(prefix + "gate_proj.weight")).singletonOrThrow();
        NDArray up = Linear.linear(x, weights.get(prefix + "up_proj.weight")).singletonOrThrow();
        NDArray activated = gate.mul(Activation.sigmoid(gate)).mul(up);
        return Linear.linear(activated, weights.get(prefix + "down_proj.weight")).singletonOrThrow();
    }
}
