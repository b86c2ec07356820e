package dev.dpo4j.bench;

import ai.djl.ndarray.types.DataType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** The command line of {@link StepBenchmark} (and {@link MultiDeviceCheck}): see StepBenchmark's javadoc. */
final class BenchOptions {
    String shape = "tiny";
    int seq = 512;
    int pairs = 4;
    int warmup = 2;
    int steps = 5;
    boolean fp16;
    boolean bf16;
    String kernels = "auto";
    Boolean checkpointing = false;
    boolean sharePrompt = true;
    String device = "default";
    String devices;
    Path outputDir;
    boolean save;
    boolean profile;
    int promptTokens = -1;
    Path torchProfile;
    String configs;
    int layers;
    int loraR;
    int loraAlpha = 32;
    String loraTargets = "all-linear";

    /** Prompt tokens per pair: {@code --prompt-tokens}, else half the sequence. */
    int prompt() {
        return promptTokens < 0 ? seq / 2 : promptTokens;
    }

    static BenchOptions parse(String[] args) {
        BenchOptions o = new BenchOptions();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--shape" -> o.shape = args[++i];
                case "--seq" -> o.seq = Integer.parseInt(args[++i]);
                case "--pairs" -> o.pairs = Integer.parseInt(args[++i]);
                case "--warmup" -> o.warmup = Integer.parseInt(args[++i]);
                case "--steps" -> o.steps = Integer.parseInt(args[++i]);
                case "--fp16" -> o.fp16 = true;
                case "--bf16" -> o.bf16 = true;
                case "--fp32" -> {
                    o.fp16 = false;
                    o.bf16 = false;
                }
                case "--kernels" -> o.kernels = args[++i];
                case "--prompt-tokens" -> o.promptTokens = Integer.parseInt(args[++i]);
                case "--torch-profile" -> o.torchProfile = Path.of(args[++i]);
                case "--configs" -> o.configs = args[++i];
                case "--layers" -> o.layers = Integer.parseInt(args[++i]);
                case "--lora-r" -> o.loraR = Integer.parseInt(args[++i]);
                case "--lora-alpha" -> o.loraAlpha = Integer.parseInt(args[++i]);
                case "--lora-targets" -> o.loraTargets = args[++i];
                case "--gradient-checkpointing" -> o.checkpointing = true;
                case "--gradient-checkpointing-auto" -> o.checkpointing = null;
                case "--share-prompt" -> o.sharePrompt = true;
                case "--no-share-prompt" -> o.sharePrompt = false;
                case "--device" -> o.device = args[++i];
                case "--devices" -> o.devices = args[++i];
                case "--output-dir" -> o.outputDir = Path.of(args[++i]);
                case "--save" -> o.save = true;
                case "--profile" -> o.profile = true;
                default -> throw new IllegalArgumentException("unknown option " + a + "; see the class javadoc");
            }
        }
        for (int[] c : o.configList()) {
            if (c[0] < 4 || c[0] % 2 != 0 || c[1] < 1) {
                throw new IllegalArgumentException("--seq must be even and at least 4, --pairs at least 1");
            }
        }
        return o;
    }

    /** The {@code (seq, pairs)} configurations: {@code --configs}, else {@code --seq} and {@code --pairs}. */
    List<int[]> configList() {
        if (configs == null) {
            return List.of(new int[] {seq, pairs});
        }
        List<int[]> out = new ArrayList<>();
        for (String item : configs.split(",")) {
            String[] parts = item.strip().toLowerCase(Locale.ROOT).split("x");
            if (parts.length != 2) {
                throw new IllegalArgumentException("--configs: SEQxPAIRS,... expected, got " + item);
            }
            out.add(new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])});
        }
        return out;
    }

    /** The trainer's output folder: {@code --output-dir}, else one in the temporary folder per configuration. */
    Path outputFolder() {
        if (outputDir != null) {
            return configs == null ? outputDir : outputDir.resolve(seq + "x" + pairs);
        }
        String suffix = configs == null ? "" : "x" + pairs;
        return Path.of(System.getProperty("java.io.tmpdir"), "dpo4j-bench-" + shape + "-" + seq + suffix);
    }

    /** The LoRA target modules of {@code --lora-targets}. */
    List<String> loraTargetList() {
        return Arrays.stream(loraTargets.split(",")).map(String::strip).filter(t -> !t.isEmpty()).toList();
    }

    /** The type the weights are stored in: the compute type with LoRA (a frozen base), else float32. */
    DataType storageType() {
        if (loraR <= 0) {
            return DataType.FLOAT32;
        }
        return bf16 ? DataType.BFLOAT16 : fp16 ? DataType.FLOAT16 : DataType.FLOAT32;
    }
}
