package dev.dpo4j.core.kernels;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The memory of an array for native code that reads or writes it in place (the collective libraries): a direct
 * {@link ByteBuffer} over its elements, or their address. Both come from DJL's own JNI call
 * {@code torchDirectByteBuffer} (libtorch's {@code data_ptr()} and {@code nbytes()}, no copy), which DJL keeps
 * package-private and which works on any device: for a CUDA array the buffer holds a device address that Java must
 * never read. (TorchScript has no {@code data_ptr}: libtorch 2.7.1 registers no such operator.) The memory stays valid
 * while the array is open.
 */
public final class DataPointers {

    private DataPointers() {
    }

    /**
     * A direct buffer over {@code array}'s elements in native byte order, without a copy: on a GPU its address is a
     * device address, to be handed to native code only.
     *
     * @throws IllegalArgumentException when the array is not a PyTorch array, its elements are not contiguous (a
     *     strided view: pass a contiguous copy) or it holds 2 GiB or more (DJL's limit: split it)
     */
    public static ByteBuffer buffer(NDArray array) {
        if (!(array instanceof PtNDArray)) {
            throw new IllegalArgumentException("the memory of a " + array.getClass().getSimpleName()
                    + " is unknown: only arrays of the PyTorch engine have a data pointer");
        }
        long bytes = array.size() * array.getDataType().getNumOfBytes();
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("array of shape " + array.getShape() + " holds " + bytes
                    + " bytes: native code takes arrays under 2 GiB, split it into buckets");
        }
        long handle = ((PtNDArray) array).getHandle();
        if (!(Boolean) Djl.call(Djl.IS_CONTIGUOUS, handle)) {
            throw new IllegalArgumentException("array of shape " + array.getShape() + " on " + array.getDevice()
                    + " is not contiguous (a strided view): native code needs a contiguous copy");
        }
        return ((ByteBuffer) Djl.call(Djl.DIRECT_BUFFER, handle)).order(ByteOrder.nativeOrder());
    }

    /**
     * The address of {@code array}'s first element (on its device: a CUDA address for GPU arrays).
     *
     * @throws IllegalArgumentException as {@link #buffer} does
     */
    public static long of(NDArray array) {
        return address(buffer(array));
    }

    /** The address of a direct buffer's first byte. */
    static long address(ByteBuffer direct) {
        if (!direct.isDirect()) {
            throw new IllegalArgumentException("a heap buffer has no address");
        }
        try {
            return (long) Unsafe.GET_LONG.invoke(Unsafe.INSTANCE, direct, Unsafe.ADDRESS_OFFSET);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read a direct buffer's address: " + e, e);
        }
    }

    /** DJL's package-private JNI class, reached by reflection (its packages are open on the class path). */
    private static final class Djl {

        static final Object LIB;
        static final Method DIRECT_BUFFER;
        static final Method IS_CONTIGUOUS;

        static {
            try {
                Class<?> library = Class.forName("ai.djl.pytorch.jni.PyTorchLibrary");
                Field lib = library.getDeclaredField("LIB");
                lib.setAccessible(true);
                LIB = lib.get(null);
                DIRECT_BUFFER = library.getDeclaredMethod("torchDirectByteBuffer", long.class);
                DIRECT_BUFFER.setAccessible(true);
                IS_CONTIGUOUS = library.getDeclaredMethod("torchIsContiguous", long.class);
                IS_CONTIGUOUS.setAccessible(true);
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new KernelsException("DJL's PyTorch JNI has no torchDirectByteBuffer/torchIsContiguous here "
                        + "(DJL 0.36 has them): " + e, e);
            }
        }

        static Object call(Method method, long handle) {
            try {
                return method.invoke(LIB, handle);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            } catch (InvocationTargetException e) {
                Throwable cause = e.getCause();
                throw cause instanceof RuntimeException r ? r : new IllegalStateException(cause);
            }
        }
    }

    /** {@code sun.misc.Unsafe} (module jdk.unsupported) and the offset of {@link Buffer}'s address field. */
    private static final class Unsafe {

        static final Object INSTANCE;
        static final Method GET_LONG;
        static final long ADDRESS_OFFSET;

        static {
            try {
                Class<?> unsafe = Class.forName("sun.misc.Unsafe");
                Field the = unsafe.getDeclaredField("theUnsafe");
                the.setAccessible(true);
                INSTANCE = the.get(null);
                GET_LONG = unsafe.getMethod("getLong", Object.class, long.class);
                Method offset = unsafe.getMethod("objectFieldOffset", Field.class);
                ADDRESS_OFFSET = (long) offset.invoke(INSTANCE, Buffer.class.getDeclaredField("address"));
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new KernelsException("cannot read direct buffer addresses on this JVM: " + e, e);
            }
        }
    }
}
