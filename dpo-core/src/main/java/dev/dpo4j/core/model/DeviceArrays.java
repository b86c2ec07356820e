package dev.dpo4j.core.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

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
}
