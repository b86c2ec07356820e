package dev.dpo4j.testing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.dpo4j.core.checkpoint.Safetensors;
import dev.dpo4j.core.lora.AdapterFolder;
import java.nio.file.Path;
import java.util.Map;

/**
 * Assertions on what training wrote, for tests of code that trains: a run trained at all (its saved weights moved, its
 * adapters left zero), and two runs agree (a comparison of two runs that never moved would pass as well). Differences
 * are relative to the largest value of a tensor (at least 1e-3). A failed check throws an {@link AssertionError} that
 * names the files and the tensor.
 */
public final class TrainedWeights {

    /** A run moved some weight by more than this, relative, even when it is compared with a loose tolerance. */
    public static final float LEAST_MOVEMENT = 1e-4f;

    private TrainedWeights() {
    }

    /**
     * Both output folders hold weights that training moved away from {@code start}'s (by more than ten times
     * {@code tolerance} and {@link #LEAST_MOVEMENT}), and they agree within {@code tolerance}.
     */
    public static void assertTrainedAlike(Path start, Path a, Path b, float tolerance) {
        assertMoved(start.resolve("model.safetensors"), a.resolve("model.safetensors"), tolerance);
        assertMoved(start.resolve("model.safetensors"), b.resolve("model.safetensors"), tolerance);
        assertSameTensors(a.resolve("model.safetensors"), b.resolve("model.safetensors"), tolerance);
    }

    /** The weights in output folder {@code out} moved away from the model folder {@code start}'s. */
    public static void assertTrained(Path start, Path out) {
        assertMoved(start.resolve("model.safetensors"), out.resolve("model.safetensors"), 0f);
    }

    /**
     * Some tensor of safetensors file {@code trained} differs from the same tensor of {@code start} by more than ten
     * times {@code tolerance} and {@link #LEAST_MOVEMENT}: the run moved it, and by more than a comparison within
     * {@code tolerance} could overlook.
     */
    public static void assertMoved(Path start, Path trained, float tolerance) {
        float movement = largestDifference(start, trained);
        float least = Math.max(10 * tolerance, LEAST_MOVEMENT);
        check(movement > least, "largest relative change of " + trained + " from " + start + " is " + movement
                + ", not above " + least + ": training did not move the weights");
    }

    /**
     * Both adapter folders hold trained adapters ({@link #assertAdaptersTrained}) that agree within
     * {@code tolerance}.
     */
    public static void assertAdaptersTrainedAlike(Path a, Path b, float tolerance) {
        assertAdaptersTrained(a);
        assertAdaptersTrained(b);
        assertSameTensors(a.resolve(AdapterFolder.WEIGHTS), b.resolve(AdapterFolder.WEIGHTS), tolerance);
    }

    /** Every {@code lora_B} of the adapter in folder {@code out} left zero, where a fresh adapter starts. */
    public static void assertAdaptersTrained(Path out) {
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> tensors = Safetensors.read(out.resolve(AdapterFolder.WEIGHTS), manager,
                    DataType.FLOAT32);
            check(tensors.keySet().stream().anyMatch(n -> n.contains("lora_B")), out + ": holds no lora_B tensor");
            tensors.forEach((name, tensor) -> {
                if (name.contains("lora_B")) {
                    check(tensor.abs().max().getFloat() > 0, out + ": " + name + " is still zero, as a fresh adapter "
                            + "starts: training did not move the adapter");
                }
            });
        }
    }

    /** Every tensor of two safetensors files agrees within {@code tolerance} of the tensor's largest value. */
    public static void assertSameTensors(Path a, Path b, float tolerance) {
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> first = Safetensors.read(a, manager, DataType.FLOAT32);
            Map<String, NDArray> second = Safetensors.read(b, manager, DataType.FLOAT32);
            sameNames(a, first, b, second);
            first.forEach((name, weight) -> {
                float difference = relativeDifference(weight, second.get(name));
                check(difference <= tolerance, name + " differs by " + difference + " (relative) between " + a
                        + " and " + b + ", above " + tolerance);
            });
        }
    }

    /** The largest relative difference over the tensors of two safetensors files with the same names. */
    public static float largestDifference(Path a, Path b) {
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> first = Safetensors.read(a, manager, DataType.FLOAT32);
            Map<String, NDArray> second = Safetensors.read(b, manager, DataType.FLOAT32);
            sameNames(a, first, b, second);
            float largest = 0;
            for (Map.Entry<String, NDArray> entry : first.entrySet()) {
                largest = Math.max(largest, relativeDifference(entry.getValue(), second.get(entry.getKey())));
            }
            return largest;
        }
    }

    private static void sameNames(Path a, Map<String, NDArray> first, Path b, Map<String, NDArray> second) {
        check(first.keySet().equals(second.keySet()), a + " and " + b + " hold different tensors: " + first.keySet()
                + " and " + second.keySet());
    }

    private static void check(boolean ok, String failure) {
        if (!ok) {
            throw new AssertionError(failure);
        }
    }

    private static float relativeDifference(NDArray weight, NDArray other) {
        float difference = weight.sub(other).abs().max().getFloat();
        return difference / Math.max(1e-3f, weight.abs().max().getFloat());
    }
}
