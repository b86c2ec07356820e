package dev.dpo4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.dpo4j.core.kernels.Kernels;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The SwiGLU feed-forward block: {@code down(silu(gate(x)) * up(x))}. */
public final class MlpBlock {

    private final String gate;
    private final String up;
    private final String down;
    private final long hidden;
    private final long intermediate;
    private final Kernels kernels;
    private final List<String> gateUp;

    /** The MLP of decoder layer {@code layer}, on the pure-DJL kernels. */
    public MlpBlock(ModelConfig config, int layer) {
        this(config, layer, Kernels.djl());
    }

    /** The MLP of decoder layer {@code layer}, its gate computed by {@code kernels}. */
    public MlpBlock(ModelConfig config, int layer, Kernels kernels) {
        this.kernels = kernels;
        String prefix = TransformerBlock.prefix(layer) + ".mlp.";
        this.gate = prefix + "gate_proj";
        this.up = prefix + "up_proj";
        this.down = prefix + "down_proj";
        this.gateUp = List.of(gate, up);
        this.hidden = config.hiddenSize();
        this.intermediate = config.intermediateSize();
    }

    /** The names and shapes of its weights, in Hugging Face's order. */
    public Map<String, Shape> parameterShapes() {
        Map<String, Shape> shapes = new LinkedHashMap<>();
        shapes.put(Weights.weightOf(gate), new Shape(intermediate, hidden));
        shapes.put(Weights.weightOf(up), new Shape(intermediate, hidden));
        shapes.put(Weights.weightOf(down), new Shape(hidden, intermediate));
        return shapes;
    }

    /** The modules that read the same input, stacked by {@link FusedProjections}: {@code gate/up_proj}. */
    public List<String> stackedModules() {
        return gateUp;
    }

    /** Applies the block to {@code x} of shape {@code (batch, length, hidden)}. */
    public NDArray forward(NDArray x, Weights weights) {
        List<NDArray> gatedUp = weights.linears(gateUp, x, false);
        return weights.linear(down, kernels.swiglu(gatedUp.get(0), gatedUp.get(1)), false);
    }
}
