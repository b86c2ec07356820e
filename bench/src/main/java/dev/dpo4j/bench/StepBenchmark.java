package dev.dpo4j.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.dpo4j.api.train.DpoMetrics;
import dev.dpo4j.api.train.TrainingListener;
import dev.dpo4j.core.model.CausalLm;
import dev.dpo4j.core.model.ModelConfig;
import dev.dpo4j.core.train.DpoTrainer;
import java.util.ArrayList;
import java.util.List;

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

    public static void main(String[] args) {
        BenchOptions o = BenchOptions.parse(args);
        List<Device> devices = BenchDevices.devices(o);
        Device device = devices.get(0);
        ModelConfig config = ModelConfig.fromJson(BenchModels.configJson(o.shape, o.layers), o.shape);
        int eos = config.vocabSize() - 1;
        Engine.getInstance().setRandomSeed(42);
        NDManager base = NDManager.newBaseManager(device);
        long buildStart = System.nanoTime();
        CausalLm model = BenchModels.randomModel(config, base, o.storageType());
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
    private static void train(BenchOptions o, CausalLm model, ModelConfig config, int eos, List<Device> devices,
            NDArray probe, List<NDArray> probes, JsonObject result, boolean lastConfig) {
        Device device = devices.get(0);
        result.addProperty("device_used_start_gib", BenchDevices.djlUsedGib(device));
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
                djlMemory[0] = Math.max(Double.isNaN(djlMemory[0]) ? 0 : djlMemory[0],
                        BenchDevices.djlUsedGib(device));
                if (device.isGpu()) {
                    for (int i = 0; i < perDevice.length; i++) {
                        perDevice[i] = Math.max(perDevice[i], BenchDevices.djlUsedGib(devices.get(i)));
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
                .model(model, new SyntheticPairs.IdTokenizer(eos), null)
                .template(new SyntheticPairs.RawTemplate())
                .trainData(SyntheticPairs.pairs(o.pairs * total * devices.size(), o.seq, o.prompt(), config.vocabSize(),
                        eos, 1234))
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

    private static void report(JsonObject result, BenchOptions o, long[] stamps, double djlMemory,
            DpoMetrics metrics) {
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