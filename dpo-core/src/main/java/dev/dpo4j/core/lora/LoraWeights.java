package dev.dpo4j.core.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import dev.dpo4j.core.kernels.Autograd;
import dev.dpo4j.core.model.Weights;
import java.util.List;
import java.util.Map;

/**
 * The weights of a frozen base with LoRA adapters: every weight is the base's, and each targeted linear layer adds
 * the adapters' low-rank update, {@code linear(x) = base(x) + B (scale * A dropout(x))}, as PEFT's {@code lora.Linear}
 * computes it. Dropout applies only while a graph is recorded (training), never to evaluation or the reference.
 */
public final class LoraWeights implements Weights {

    private final Weights base;
    private final Weights adapters;
    private final Map<String, LoraModule> modules;
    private final NDArray scale;
    private final float dropout;

    /**
     * @param adapters the {@code A} and {@code B} matrices by {@link LoraModule#aName()} and {@link LoraModule#bName()}
     * @param scale a 0-d float32 array holding {@code alpha / r} (or {@code alpha / sqrt(r)}), on the base's device
     * @param dropout the adapters' input dropout while training (0: none)
     */
    LoraWeights(Weights base, Weights adapters, Map<String, LoraModule> modules, NDArray scale, double dropout) {
        this.base = base;
        this.adapters = adapters;
        this.modules = modules;
        this.scale = scale;
        this.dropout = (float) dropout;
    }

    @Override
    public NDArray get(String name) {
        return base.get(name);
    }

    /** The base's (stacked) projections when no module of them is adapted, else each module on its own. */
    @Override
    public List<NDArray> linears(List<String> group, NDArray input, boolean withBias) {
        return group.stream().anyMatch(modules::containsKey) ? Weights.super.linears(group, input, withBias)
                : base.linears(group, input, withBias);
    }

    @Override
    public NDArray linear(String module, NDArray input, boolean withBias) {
        NDArray output = base.linear(module, input, withBias);
        LoraModule adapted = modules.get(module);
        if (adapted == null) {
            return output;
        }
        NDArray x = dropout > 0 && Autograd.isRecording()
                ? Dropout.dropout(input, dropout, true).singletonOrThrow() : input;
        // scaling the rank-r intermediate costs r multiplications per token instead of out_features
        NDArray low = Linear.linear(x, adapters.get(adapted.aName())).singletonOrThrow().mul(scale);
        return output.add(Linear.linear(low, adapters.get(adapted.bName())).singletonOrThrow());
    }
}
