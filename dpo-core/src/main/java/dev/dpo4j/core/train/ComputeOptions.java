package dev.dpo4j.core.train;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import ai.djl.util.cuda.CudaUtils;
import dev.dpo4j.api.Names;
import dev.dpo4j.api.options.Option;
import dev.dpo4j.api.options.OptionRecords;
import dev.dpo4j.core.kernels.Kernels;
import java.util.List;

/** How the arithmetic runs: bfloat16 mixed precision, the kernels, and how long ranks wait for each other. */
public record ComputeOptions(
        @Option(doc = "bfloat16 compute with float32 master weights and no loss scaling.", defaultDoc = "on where it "
                + "pays (a GPU of compute capability 8 or more, with the TorchScript kernels), unless --fp16")
        Boolean bf16,
        @Option(doc = "auto (the TorchScript kernels wherever they load: flash attention, fused AdamW, bfloat16; else "
                + "DJL's own operations), torchscript (fail if they do not load) or djl.", value = "auto", label = "K")
        String kernels,
        @Option(doc = "Seconds a rank waits for the others (the rendezvous and every collective) before it fails, as "
                + "transformers' ddp_timeout.", value = "1800", label = "SECONDS", min = 1)
        long ddpTimeout) {

    /** The defaults: bfloat16 where it pays, the fastest kernels that load. */
    public static final ComputeOptions DEFAULTS = OptionRecords.defaults(ComputeOptions.class);

    /** Checks the kernels' name; the error names the option and its choices. */
    public ComputeOptions {
        OptionRecords.check(ComputeOptions.class, bf16, kernels, ddpTimeout)
                .require(kernels == null || Kernels.names().contains(Names.normalize(kernels)),
                        "kernels must be " + String.join(", ", Kernels.names()) + ", got '" + kernels + "'")
                .require(!(Boolean.TRUE.equals(bf16) && kernels != null && Names.normalize(kernels).equals("djl")),
                        "bf16 needs the TorchScript kernels (DJL's own operations have no bfloat16), but kernels=djl")
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
