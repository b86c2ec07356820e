package dev.dpo4j.core.kernels;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * PyTorch's autograd switch for the current thread, as a scope, and backward from any thread.
 *
 * <p>DJL's {@code GradientCollector} allows one collector in the whole process, so device threads that back-propagate
 * at the same time cannot each open one; and PyTorch starts every new thread with autograd on, while DJL turns it off
 * only on the thread that loaded the engine. Each device thread therefore sets the switch itself.
 */
public final class Autograd implements AutoCloseable {

    private final boolean previous;

    private Autograd(boolean enabled) {
        this.previous = JniUtils.isGradMode();
        JniUtils.setGradMode(enabled);
    }

    /** Records a graph on this thread until closed. */
    public static Autograd record() {
        return new Autograd(true);
    }

    /** Records nothing on this thread until closed (in-place writes to leaves that require a gradient allowed). */
    public static Autograd pause() {
        return new Autograd(false);
    }

    /** Whether this thread is recording a graph now (a training forward pass, not evaluation or a reference). */
    public static boolean isRecording() {
        return JniUtils.isGradMode();
    }

    /** Whether the leaf {@code leaf} requires a gradient (DJL answers false for any array computed from one). */
    public static boolean requiresGradient(NDArray leaf) {
        return JniUtils.requiresGrad((PtNDArray) leaf);
    }

    /** Back-propagates a scalar {@code output} (gradient 1) into everything that requires a gradient. */
    public static void backward(NDArray output) {
        backward(output, output.onesLike());
    }

    /** Back-propagates {@code gradient} from {@code output} into everything that requires a gradient. */
    public static void backward(NDArray output, NDArray gradient) {
        JniUtils.backward((PtNDArray) output, (PtNDArray) gradient, false, false);
    }

    /** Restores the switch as it was. */
    @Override
    public void close() {
        JniUtils.setGradMode(previous);
    }
}
