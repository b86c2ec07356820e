package dev.dpo4j.core.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import org.junit.jupiter.api.Test;

class DataPointersTest {

    @Test
    void thePointerAddressesTheElements() throws ReflectiveOperationException {
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray x = m.create(new float[] {1.5f, -2f, 3.25f, 4f, 5f, 6f}).reshape(2, 3);
            long address = DataPointers.of(x);
            assertThat(readFloat(address)).isEqualTo(1.5f);
            assertThat(readFloat(address + 2 * Float.BYTES)).isEqualTo(3.25f);
            // the second row is a view that starts three floats further on
            assertThat(DataPointers.of(x.get(1))).isEqualTo(address + 3 * Float.BYTES);
            // the buffer is the array's memory, not a copy: a write through it changes the array
            DataPointers.buffer(x).putFloat(Float.BYTES, 9.5f);
            assertThat(x.toFloatArray()).containsExactly(1.5f, 9.5f, 3.25f, 4f, 5f, 6f);
        }
    }

    @Test
    void aStridedViewIsRefused() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray x = m.arange(6f).reshape(2, 3);
            assertThatThrownBy(() -> DataPointers.of(x.transpose())).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("is not contiguous");
        }
    }

    /** Reads host memory through {@code sun.misc.Unsafe} (module jdk.unsupported), found by reflection. */
    private static float readFloat(long address) throws ReflectiveOperationException {
        Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
        Field field = unsafeClass.getDeclaredField("theUnsafe");
        field.setAccessible(true);
        Method getFloat = unsafeClass.getMethod("getFloat", long.class);
        return (float) getFloat.invoke(field.get(null), address);
    }
}
