package dev.dpo4j.core.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.dpo4j.core.kernels.Kernels;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Copies between devices and data types that never alias: DJL's {@code toDevice(device, true)} and
 * {@code toType(type, true)} return the very same tensor when nothing changes (PyTorch's {@code to} without copy).
 */
public final class DeviceArrays {

    private DeviceArrays() {
    }

    /**
     * A new array with the values of {@code source} in {@code type} on {@code device}, in the manager of
     * {@code source}; the cast runs before the transfer, so narrowing halves the bytes that travel.
     */
    public static NDArray copy(NDArray source, DataType type, Device device) {
        NDArray cast = source.toType(type, false);
        NDArray moved = cast.toDevice(device, false);
        if (moved == source) {
            return source.duplicate();
        }
        if (moved != cast && cast != source) {
            cast.close();
        }
        return moved;
    }

    /**
     * A frozen copy of {@code weight} in {@code type} on {@code device}, in the manager of {@code weight}: bfloat16
     * travels in float32 and is cast on arrival through {@code kernels}, since DJL casts and moves no bfloat16 array.
     */
    public static NDArray frozenCopy(NDArray weight, DataType type, Device device, Kernels kernels) {
        if (type != DataType.BFLOAT16) {
            return copy(weight, type, device);
        }
        try (NDArray moved = copy(weight, DataType.FLOAT32, device); NDArray detached = moved.stopGradient()) {
            return kernels.cast(detached, type);
        }
    }

    /**
     * {@link #frozenCopy} of every array of {@code weights}, in the same order, each owned by {@code target} and on
     * its device.
     */
    public static Map<String, NDArray> frozenCopies(Map<String, NDArray> weights, DataType type, NDManager target,
            Kernels kernels) {
        Map<String, NDArray> copies = new LinkedHashMap<>();
        weights.forEach((name, weight) -> {
            NDArray copy = frozenCopy(weight, type, target.getDevice(), kernels);
            copy.attach(target);
            copies.put(name, copy);
        });
        return copies;
    }
}
