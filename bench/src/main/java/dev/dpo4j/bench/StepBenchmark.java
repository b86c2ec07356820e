package dev.dpo4j.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.util.cuda.CudaUtils;
import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import dev.dpo4j.api.data.ChatMessage;
import dev.dpo4j.api.data.PreferenceExample;
import dev.dpo4j.api.template.PromptTemplate;
import dev.dpo4j.api.train.DpoMetrics;
import dev.dpo4j.api.train.TrainingListener;
import dev.dpo4j.core.kernels.Kernels;
import dev.dpo4j.core.model.CausalLm;
import dev.dpo4j.core.model.ModelConfig;
import dev.dpo4j.core.tokenizer.TextTokenizer;
import dev.dpo4j.core.train.DpoTrainer;
import java.lang.management.MemoryUsage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.SplittableRandom;

/**
 * The dpo4j side of the DPO step benchmark (see BENCHMARKS.md): a randomly initialized Qwen2.5-0.5B-, Llama-3.2-1B-,
 * Mistral-7B- or tiny-shaped model built in memory, trained by the real {@link DpoTrainer} on synthetic pairs whose
 * chosen and rejected sequences are exactly {@code seq} tokens (prompt {@code seq/2}, completion {@code seq/2}
 * including EOS).
 * Only the optimizer steps are timed: each step's end is taken after a device synchronization in
 * {@link TrainingListener#onStep}. Prints one JSON line; after the last step the process halts, so the trained model
 * is never saved (a float32 save of a 1B model is 5 GB of disk and many seconds).
 *
 * <pre>
 * StepBenchmark --shape qwen2.5-0.5b|llama-1b|mistral-7b|tiny --seq 1024 [--pairs 4] [--warmup 2] [--steps 5]
 *               [--configs 2048x1,4096x4] [--layers N]
 *               [--lora-r 16 [--lora-alpha 32] [--lora-targets all-linear|q_proj,v_proj]]
 *               [--fp16 | --bf16 | --fp32] [--kernels auto|torchscript|djl]
 *               [--gradient-checkpointing | --gradient-checkpointing-auto]
 *               [--no-share-prompt] [--prompt-tokens N] [--torch-profile trace.json]
 *               [--device gpu|cpu | --devices gpu0,gpu1]
 *               [--output-dir /tmp/dir] [--save] [--profile]
 * </pre>
 *
 * {@code --devices} trains data-parallel: {@code --pairs} pairs per device per step, tokens/s over all devices, and
 * DJL's used-memory reading per device.
 *
 * {@code --no-share-prompt} scores chosen and rejected as separate rows (the trainer's {@code share_prompt=false}),
 * as TRL does; by default each pair's prompt runs once for both completions.
 *
 * {@code --profile} runs {@link PhaseProfile} instead of the trainer: the same step split into synchronized phases.
 *
 * <p>{@code --lora-r N} (N &gt; 0) trains LoRA adapters of rank N ({@code use_peft}) on a frozen base that is built
 * directly in the compute type ({@code --bf16}: each weight drawn in float32 on the device, cast to bfloat16 by the
 * TorchScript kernels and the float32 one freed), so no float32 copy of a 7B model ever exists. {@code --configs}
 * runs several {@code SEQxPAIRS} configurations in one process on the same base, one trainer each, in the order
 * given; one JSON line each. Between two, the trainer's arrays are freed and libtorch's caching allocator is emptied,
 * so each line's memory is its own. A configuration other than the last saves its output (an adapter with LoRA; a
 * whole model without, which takes long); the last halts the process instead, as a single run does.
 *
 * <p>Memory: {@code djl_peak_used_gib} (also written as {@code device_used_gib}) is the largest used memory of the
 * whole device that {@code cudaMemGetInfo} reports, read after each step. libtorch's caching allocator never gives
 * memory back by itself, so that reading is the CUDA context plus the allocator's peak reserve plus other processes:
 * comparable to PyTorch's {@code torch.cuda.mem_get_info()} read the same way (the LoRA reference reports that), an
 * upper bound of {@code torch.cuda.max_memory_reserved()}, and so of {@code max_memory_allocated()}. DJL offers no
 * reading of the allocator's allocated bytes.
 */
public final class StepBenchmark {

    private static final Gson GSON = new Gson();

    private StepBenchmark() {
    }

    /** The options. */
    static final class Options {
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

        static Options parse(String[] args) {
            Options o = new Options();
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

    /** The Hugging Face {@code config.json} of a benchmark shape. */
    static JsonObject configJson(String shape) {
        JsonObject c = new JsonObject();
        switch (shape.toLowerCase(Locale.ROOT)) {
            case "qwen2.5-0.5b" -> {
                c.addProperty("model_type", "qwen2");
                c.addProperty("hidden_size", 896);
                c.addProperty("num_hidden_layers", 24);
                c.addProperty("num_attention_heads", 14);
                c.addProperty("num_key_value_heads", 2);
                c.addProperty("head_dim", 64);
                c.addProperty("intermediate_size", 4864);
                c.addProperty("vocab_size", 151936);
                c.addProperty("tie_word_embeddings", true);
                c.addProperty("rms_norm_eps", 1e-6);
                c.addProperty("rope_theta", 1000000.0);
            }
            case "llama-1b" -> {
                c.addProperty("model_type", "llama");
                c.addProperty("hidden_size", 2048);
                c.addProperty("num_hidden_layers", 16);
                c.addProperty("num_attention_heads", 32);
                c.addProperty("num_key_value_heads", 8);
                c.addProperty("head_dim", 64);
                c.addProperty("intermediate_size", 8192);
                c.addProperty("vocab_size", 128256);
                c.addProperty("tie_word_embeddings", true);
                c.addProperty("rms_norm_eps", 1e-5);
                c.addProperty("rope_theta", 500000.0);
                JsonObject scaling = new JsonObject();
                scaling.addProperty("rope_type", "llama3");
                scaling.addProperty("factor", 32.0);
                scaling.addProperty("low_freq_factor", 1.0);
                scaling.addProperty("high_freq_factor", 4.0);
                scaling.addProperty("original_max_position_embeddings", 8192);
                c.add("rope_scaling", scaling);
            }
            case "tiny" -> {
                c.addProperty("model_type", "llama");
                c.addProperty("hidden_size", 64);
                c.addProperty("num_hidden_layers", 2);
                c.addProperty("num_attention_heads", 4);
                c.addProperty("num_key_value_heads", 2);
                c.addProperty("head_dim", 16);
                c.addProperty("intermediate_size", 256);
                c.addProperty("vocab_size", 259);
                c.addProperty("tie_word_embeddings", true);
                c.addProperty("rms_norm_eps", 1e-6);
                c.addProperty("rope_theta", 10000.0);
            }
            case "mistral-7b" -> { // Mistral-7B-v0.2 (and Zephyr-7B): rope_theta 1e6, no sliding window
                c.addProperty("model_type", "mistral");
                c.addProperty("hidden_size", 4096);
                c.addProperty("num_hidden_layers", 32);
                c.addProperty("num_attention_heads", 32);
                c.addProperty("num_key_value_heads", 8);
                c.addProperty("head_dim", 128);
                c.addProperty("intermediate_size", 14336);
                c.addProperty("vocab_size", 32000);
                c.addProperty("tie_word_embeddings", false);
                c.addProperty("rms_norm_eps", 1e-5);
                c.addProperty("rope_theta", 1000000.0);
                c.addProperty("max_position_embeddings", 32768);
                c.add("sliding_window", JsonNull.INSTANCE);
            }
            default -> throw new IllegalArgumentException("unknown --shape " + shape
                    + " (qwen2.5-0.5b, llama-1b, mistral-7b, tiny)");
        }
        return c;
    }

    /** {@link #configJson} with {@code num_hidden_layers} replaced when {@code layers > 0}. */
    static JsonObject configJson(String shape, int layers) {
        JsonObject c = configJson(shape);
        if (layers > 0) {
            c.addProperty("num_hidden_layers", layers);
        }
        return c;
    }

    /** A random model as transformers initializes one: N(0, 0.02) matrices, ones for norms, zeros for biases. */
    static CausalLm randomModel(ModelConfig config, NDManager base) {
        return randomModel(config, base, DataType.FLOAT32);
    }

    /**
     * {@link #randomModel(ModelConfig, NDManager)} stored in {@code storage}: each weight is drawn in float32 on the
     * device and cast at once (bfloat16 through the TorchScript kernels), its float32 original freed, so at most one
     * float32 weight exists at a time.
     */
    static CausalLm randomModel(ModelConfig config, NDManager base, DataType storage) {
        NDManager owner = base.newSubManager();
        Map<String, NDArray> weights = new LinkedHashMap<>();
        CausalLm.expectedShapes(config).forEach((name, shape) -> {
            NDArray w;
            if (name.endsWith(".bias")) {
                w = owner.zeros(shape, DataType.FLOAT32);
            } else if (name.contains("norm")) {
                w = owner.ones(shape, DataType.FLOAT32);
            } else {
                w = owner.randomNormal(0f, 0.02f, shape, DataType.FLOAT32);
            }
            weights.put(name, cast(w, storage));
        });
        return new CausalLm(config, weights, owner);
    }

    /** {@code w} in {@code type}; {@code w} itself is closed when a copy was made. */
    private static NDArray cast(NDArray w, DataType type) {
        if (type == DataType.FLOAT32) {
            return w;
        }
        NDArray copy = type == DataType.BFLOAT16 ? Kernels.torchScript().cast(w, type) : w.toType(type, true);
        w.close();
        return copy;
    }

    /** Synthetic pairs: prompt {@code seq/2} ids, completions {@code seq/2 - 1} ids (the encoder appends EOS). */
    static List<PreferenceExample> pairs(int count, int seq, int vocab, int eos, long seed) {
        return pairs(count, seq, seq / 2, vocab, eos, seed);
    }

    /** Synthetic pairs: prompt {@code prompt} ids, completions {@code seq - prompt - 1} ids (the encoder appends EOS). */
    static List<PreferenceExample> pairs(int count, int seq, int prompt, int vocab, int eos, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<PreferenceExample> out = new ArrayList<>(count);
        int completion = seq - prompt - 1;
        for (int i = 0; i < count; i++) {
            out.add(PreferenceExample.of(ids(random, prompt, vocab, eos), ids(random, completion, vocab, eos),
                    ids(random, completion, vocab, eos)));
        }
        return out;
    }

    private static String ids(SplittableRandom random, int n, int vocab, int eos) {
        StringBuilder b = new StringBuilder(n * 7);
        for (int i = 0; i < n; i++) {
            int id;
            do {
                id = 1 + random.nextInt(vocab - 1);
            } while (id == eos);
            if (i > 0) {
                b.append(' ');
            }
            b.append(id);
        }
        return b.toString();
    }

    /** Space-separated token ids; no BOS, pad 0. */
    static final class IdTokenizer implements TextTokenizer {
        private final int eos;

        IdTokenizer(int eos) {
            this.eos = eos;
        }

        @Override
        public int[] encode(String text) {
            String t = text.strip();
            return t.isEmpty() ? new int[0] : Arrays.stream(t.split(" +")).mapToInt(Integer::parseInt).toArray();
        }

        @Override
        public OptionalInt bosId() {
            return OptionalInt.empty();
        }

        @Override
        public int eosId() {
            return eos;
        }

        @Override
        public int padId() {
            return 0;
        }
    }

    /** The prompt is the first message's text, the completion is unchanged. */
    static final class RawTemplate implements PromptTemplate {
        @Override
        public String renderPrompt(List<ChatMessage> messages) {
            return messages.get(0).content();
        }

        @Override
        public String renderCompletion(String completion) {
            return completion;
        }
    }

    static Device device(String name) {
        return switch (name) {
            case "default" -> Engine.getInstance().defaultDevice();
            case "cpu" -> Device.cpu();
            case "gpu" -> Device.gpu();
            default -> Device.fromName(name);
        };
    }

    /** DJL's view of used device memory (cudaMemGetInfo: the whole card), in GiB, or NaN. */
    static double djlUsedGib(Device device) {
        if (!device.isGpu()) {
            return Double.NaN;
        }
        try {
            MemoryUsage usage = CudaUtils.getGpuMemory(device);
            return usage.getUsed() / (double) (1L << 30);
        } catch (Throwable e) {
            return Double.NaN;
        }
    }

    /** The devices of {@code --devices} (comma-separated DJL names), or {@code --device} alone. */
    static List<Device> devices(Options o) {
        if (o.devices == null) {
            return List.of(device(o.device));
        }
        List<Device> devices = new ArrayList<>();
        for (String name : o.devices.split(",")) {
            devices.add(device(name.strip()));
        }
        return devices;
    }

    public static void main(String[] args) {
        Options o = Options.parse(args);
        List<Device> devices = devices(o);
        Device device = devices.get(0);
        ModelConfig config = ModelConfig.fromJson(configJson(o.shape, o.layers), o.shape);
        int eos = config.vocabSize() - 1;
        Engine.getInstance().setRandomSeed(42);
        NDManager base = NDManager.newBaseManager(device);
        long buildStart = System.nanoTime();
        CausalLm model = randomModel(config, base, o.storageType());
        NDArray probe = base.zeros(new Shape(1));
        probe.toFloatArray();
        List<NDArray> probes = new ArrayList<>();
        for (Device d : devices) {
            probes.add(base.zeros(new Shape(1)).toDevice(d, true));
        }
        double buildSeconds = (System.nanoTime() - buildStart) / 1e9;

        JsonObject result = new JsonObject();
        result.addProperty("impl", "dpo4j");
        result.addProperty("shape", o.shape);
        result.addProperty("seq", o.seq);
        result.addProperty("pairs", o.pairs);
        result.addProperty("precision", o.fp16 ? "fp16" : o.bf16 ? "bf16" : "fp32");
        result.addProperty("kernels", o.kernels);
        result.addProperty("prompt_tokens", o.prompt());
        result.addProperty("gradient_checkpointing", o.checkpointing == null ? "auto" : o.checkpointing.toString());
        result.addProperty("share_prompt", o.sharePrompt);
        result.addProperty("device", device.toString());
        result.addProperty("devices", devices.size());
        result.addProperty("layers", config.numLayers());
        result.addProperty("parameters", model.parameterCount());
        result.addProperty("base_dtype", o.storageType().toString());
        result.addProperty("lora_r", o.loraR);
        if (o.loraR > 0) {
            result.addProperty("lora_alpha", o.loraAlpha);
            result.addProperty("lora_targets", o.loraTargets);
        }
        result.addProperty("engine", Engine.getInstance().getEngineName() + " " + Engine.getInstance().getVersion());
        result.addProperty("build_seconds", buildSeconds);

        if (o.profile) {
            PhaseProfile.run(model, config, base, o, eos, result);
            System.out.println(GSON.toJson(result));
            System.out.flush();
            Runtime.getRuntime().halt(0);
        }

        List<int[]> configs = o.configList();
        if (device.isGpu()) {
            JniUtils.emptyCudaCache(); // the first configuration's reading too starts from the base alone
        }
        for (int i = 0; i < configs.size(); i++) {
            o.seq = configs.get(i)[0];
            o.pairs = configs.get(i)[1];
            JsonObject row = result.deepCopy();
            row.addProperty("seq", o.seq);
            row.addProperty("pairs", o.pairs);
            row.addProperty("prompt_tokens", o.prompt());
            boolean last = i == configs.size() - 1;
            try {
                train(o, model, config, eos, devices, probe, probes, row, last);
            } catch (RuntimeException e) { // report and go on with the next configuration
                row.addProperty("status", "failed");
                row.addProperty("error", String.valueOf(e).lines().findFirst().orElse("").strip());
                if (String.valueOf(e).contains("out of memory")) {
                    row.addProperty("oom", true);
                }
                System.out.println(GSON.toJson(row));
                System.out.flush();
                e.printStackTrace();
                if (last) {
                    Runtime.getRuntime().halt(3);
                }
            }
            if (device.isGpu()) {
                JniUtils.emptyCudaCache(); // the next configuration's memory reading starts from the base alone
            }
        }
        base.close();
    }

    /**
     * One configuration ({@code o.seq}, {@code o.pairs}): a trainer on {@code model}, the steps timed, one JSON line;
     * when {@code lastConfig} the process halts after the line (nothing saved unless {@code --save}).
     */
    private static void train(Options o, CausalLm model, ModelConfig config, int eos, List<Device> devices,
            NDArray probe, List<NDArray> probes, JsonObject result, boolean lastConfig) {
        Device device = devices.get(0);
        result.addProperty("device_used_start_gib", djlUsedGib(device));
        int total = o.warmup + o.steps;
        long[] stamps = new long[total + 1];
        double[] djlMemory = {Double.NaN};
        double[] perDevice = new double[devices.size()];
        DpoMetrics[] last = new DpoMetrics[1];
        boolean[] reported = new boolean[1];
        TrainingListener timer = new TrainingListener() {
            @Override
            public void onTrainingStart(dev.dpo4j.api.train.TrainingPlan plan) {
                probe.toFloatArray();
                stamps[0] = System.nanoTime();
            }

            @Override
            public void onStep(long step, long totalSteps) {
                probes.forEach(NDArray::toFloatArray); // waits for the step's work (one stream per device)
                stamps[(int) step] = System.nanoTime();
                if (o.torchProfile != null && step == o.warmup) { // libtorch's profiler over two timed steps
                    JniUtils.startProfile(true, false, false);
                } else if (o.torchProfile != null && step == o.warmup + 2) {
                    JniUtils.stopProfile(o.torchProfile.toString());
                }
                djlMemory[0] = Math.max(Double.isNaN(djlMemory[0]) ? 0 : djlMemory[0], djlUsedGib(device));
                if (device.isGpu()) {
                    for (int i = 0; i < perDevice.length; i++) {
                        perDevice[i] = Math.max(perDevice[i], djlUsedGib(devices.get(i)));
                    }
                    result.add("djl_peak_used_gib_per_device", GSON.toJsonTree(perDevice));
                }
            }

            @Override
            public void onLog(DpoMetrics metrics) {
                last[0] = metrics;
                if (metrics.step() == total) {
                    report(result, o, stamps, djlMemory[0], metrics);
                    reported[0] = true;
                    if (lastConfig && !o.save) {
                        Runtime.getRuntime().halt(0);
                    }
                }
            }
        };
        DpoTrainer.Builder builder = DpoTrainer.builder()
                .model(model, new IdTokenizer(eos), null)
                .template(new RawTemplate())
                .trainData(pairs(o.pairs * total * devices.size(), o.seq, o.prompt(), config.vocabSize(), eos, 1234))
                .outputDir(o.outputFolder())
                .overwriteOutputDir(true)
                .fp16(o.fp16)
                .bf16(o.bf16)
                .kernels(o.kernels)
                .gradientCheckpointing(o.checkpointing)
                .sharePrompt(o.sharePrompt)
                .padToMultipleOf(8)
                .perDeviceTrainBatchSize(o.pairs)
                .maxSteps(total)
                .learningRate(1e-6)
                .loggingSteps(total)
                .maxLength(0)
                .progressBar(false)
                .devices(devices)
                .listener(timer);
        if (o.loraR > 0) {
            builder.usePeft(true).loraR(o.loraR).loraAlpha(o.loraAlpha).loraDropout(0.0)
                    .loraTargetModules(o.loraTargetList());
        }
        builder.build().train();
        if (!reported[0]) {
            report(result, o, stamps, djlMemory[0], last[0]);
        }
    }

    private static void report(JsonObject result, Options o, long[] stamps, double djlMemory, DpoMetrics metrics) {
        int total = o.warmup + o.steps;
        double seconds = (stamps[total] - stamps[o.warmup]) / 1e9;
        JsonArray steps = new JsonArray();
        for (int i = 1; i <= total; i++) {
            steps.add(Math.round((stamps[i] - stamps[i - 1]) / 1e6) / 1e3);
        }
        result.addProperty("warmup", o.warmup);
        result.addProperty("timed_steps", o.steps);
        result.addProperty("seconds", seconds);
        int devices = result.get("devices").getAsInt();
        result.addProperty("tokens_per_s", 2.0 * o.pairs * devices * o.seq * o.steps / seconds);
        result.add("step_seconds", steps);
        result.addProperty("djl_peak_used_gib", djlMemory);
        result.addProperty("device_used_gib", djlMemory);
        if (metrics != null) {
            result.addProperty("loss_last_step", metrics.loss());
        }
        System.out.println(GSON.toJson(result));
        System.out.flush();
    }
}
