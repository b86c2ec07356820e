package dev.dpo4j.core.train;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import ai.djl.util.cuda.CudaUtils;
import dev.dpo4j.api.Names;
import dev.dpo4j.api.options.Problems;
import dev.dpo4j.core.kernels.Kernels;
import java.util.List;

/**
 * How the arithmetic runs: bfloat16 mixed precision and the kernels.
 *
 * @param bf16 bfloat16 compute with float32 master weights and no loss scaling (TRL's {@code bf16}); null: on where
 *     it pays, a GPU with bfloat16 (compute capability 8 or more) and the TorchScript kernels, unless {@code fp16}
 * @param kernels {@code auto} (the TorchScript kernels wherever they load, else the pure-DJL ones), {@code torchscript}
 *     or {@code djl}
 */
public record ComputeOptions(Boolean bf16, String kernels) {

    /** The defaults: bfloat16 where it pays, the fastest kernels that load. */
    public static final ComputeOptions DEFAULTS = new ComputeOptions(null, "auto");

    /** Checks the kernels' name; the error names the option and its choices. */
    public ComputeOptions {
        new Problems()
                .require(kernels != null && Kernels.names().contains(Names.normalize(kernels)),
                        "kernels must be " + String.join(", ", Kernels.names()) + ", got '" + kernels + "'")
                .throwIfAny();
    }

    /**
     * The type a run computes in: float16 with {@code fp16}; bfloat16 when {@code bf16} says so, or by default where
     * it pays (every device a GPU of compute capability 8 or more, and {@code kernels} the TorchScript ones);
     * float32 otherwise.
     *
     * @throws IllegalArgumentException when bfloat16 is asked for without the TorchScript kernels
     */
    public DataType computeType(boolean fp16, Kernels chosen, List<Device> devices) {
        if (fp16) {
            return DataType.FLOAT16;
        }
        boolean torchScript = chosen.name().equals("torchscript");
        if (Boolean.TRUE.equals(bf16)) {
            if (!torchScript) {
                throw new IllegalArgumentException("bf16 needs the TorchScript kernels (DJL's own operations have no "
                        + "bfloat16), but kernels=" + kernels + " gave the " + chosen.name() + " kernels");
            }
            return DataType.BFLOAT16;
        }
        boolean pays = bf16 == null && torchScript && !devices.isEmpty()
                && devices.stream().allMatch(ComputeOptions::hasBfloat16);
        return pays ? DataType.BFLOAT16 : DataType.FLOAT32;
    }

    /** A GPU of compute capability 8 (Ampere) or more: bfloat16 tensor cores. */
    private static boolean hasBfloat16(Device device) {
        if (!device.isGpu()) {
            return false;
        }
        String capability = CudaUtils.getComputeCapability(device.getDeviceId());
        return capability != null && !capability.isEmpty() && Character.getNumericValue(capability.charAt(0)) >= 8;
    }
}
