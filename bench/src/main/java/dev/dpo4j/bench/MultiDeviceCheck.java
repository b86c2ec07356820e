package dev.dpo4j.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.dpo4j.api.data.PreferenceExample;
import dev.dpo4j.api.train.TrainingSummary;
import dev.dpo4j.core.model.CausalLm;
import dev.dpo4j.core.model.ModelConfig;
import dev.dpo4j.core.train.DpoTrainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Data parallelism on real devices, checked against one device: the tiny-shaped model trains a few steps on the
 * first device alone with {@code N} micro-batches of accumulation, then on the {@code N} given devices with one
 * each (the same global batch), from the same starting weights. Prints the largest weight difference relative to
 * each weight's largest magnitude, both runs' last loss and gradient norm, as one JSON object.
 *
 * <pre>
 * MultiDeviceCheck --devices gpu0,cpu [--fp16] [--gradient-checkpointing] [--no-share-prompt] [--steps 3]
 *                  [--seq 64] [--pairs 2]
 * </pre>
 */
public final class MultiDeviceCheck {

    private MultiDeviceCheck() {
    }

    public static void main(String[] args) throws IOException {
        BenchOptions o = BenchOptions.parse(withDefaults(args));
        List<Device> devices = BenchDevices.devices(o);
        ModelConfig config = ModelConfig.fromJson(BenchModels.configJson("tiny"), "tiny");
        int eos = config.vocabSize() - 1;
        Engine.getInstance().setRandomSeed(42);
        try (NDManager base = NDManager.newBaseManager(devices.get(0))) {
            CausalLm start = BenchModels.randomModel(config, base);
            List<PreferenceExample> data = SyntheticPairs.pairs(o.pairs * devices.size() * o.steps, o.seq,
                    config.vocabSize(), eos, 7);
            Path work = Files.createTempDirectory("dpo4j-multi-device");
            Run one = train(start, List.of(devices.get(0)), devices.size(), data, o, eos, work.resolve("one"));
            Run many = train(start, devices, 1, data, o, eos, work.resolve("many"));
            double worst = 0;
            String worstName = one.weights().keySet().iterator().next();
            for (Map.Entry<String, float[]> e : one.weights().entrySet()) {
                double d = relativeDifference(e.getValue(), many.weights().get(e.getKey()));
                if (d > worst) {
                    worst = d;
                    worstName = e.getKey();
                }
            }
            JsonObject result = new JsonObject();
            result.addProperty("devices", devices.toString());
            result.addProperty("precision", o.fp16 ? "fp16" : "fp32");
            result.addProperty("gradient_checkpointing", o.checkpointing);
            result.addProperty("share_prompt", o.sharePrompt);
            result.addProperty("steps", o.steps);
            result.addProperty("global_batch", o.pairs * devices.size());
            result.addProperty("loss_one_device", one.summary().lastTrain().loss());
            result.addProperty("loss_data_parallel", many.summary().lastTrain().loss());
            result.addProperty("grad_norm_one_device", one.summary().lastTrain().gradNorm());
            result.addProperty("grad_norm_data_parallel", many.summary().lastTrain().gradNorm());
            result.addProperty("max_relative_weight_difference", worst);
            result.addProperty("worst_weight", worstName);
            result.addProperty("moved_from_start", relativeDifference(one.weights().get(worstName),
                    weights(start).get(worstName)));
            System.out.println(new GsonBuilder().create().toJson(result));
        }
    }

    private static String[] withDefaults(String[] args) {
        String[] all = new String[args.length + 6];
        System.arraycopy(new String[] {"--seq", "64", "--pairs", "2", "--steps", "3"}, 0, all, 0, 6);
        System.arraycopy(args, 0, all, 6, args.length);
        return all;
    }

    private record Run(TrainingSummary summary, Map<String, float[]> weights) {
    }

    private static Run train(CausalLm start, List<Device> devices, int accumulation, List<PreferenceExample> data,
            BenchOptions o, int eos, Path out) {
        try (CausalLm policy = start.frozenCopy(DataType.FLOAT32)) {
            TrainingSummary summary = DpoTrainer.builder()
                    .model(policy, new SyntheticPairs.IdTokenizer(eos), null)
                    .template(new SyntheticPairs.RawTemplate())
                    .trainData(data).outputDir(out).overwriteOutputDir(true)
                    .fp16(o.fp16).gradientCheckpointing(o.checkpointing).sharePrompt(o.sharePrompt)
                    .perDeviceTrainBatchSize(o.pairs).gradientAccumulationSteps(accumulation)
                    .maxSteps(o.steps).learningRate(1e-3).maxLength(0).loggingSteps(1).progressBar(false)
                    .devices(devices).build().train();
            return new Run(summary, weights(policy));
        }
    }

    private static Map<String, float[]> weights(CausalLm model) {
        Map<String, float[]> out = new LinkedHashMap<>();
        model.parameters().forEach((name, weight) -> out.put(name, weight.toFloatArray()));
        return out;
    }

    private static double relativeDifference(float[] a, float[] b) {
        double difference = 0;
        double scale = 1e-3;
        for (int i = 0; i < a.length; i++) {
            difference = Math.max(difference, Math.abs(a[i] - b[i]));
            scale = Math.max(scale, Math.abs(a[i]));
        }
        return difference / scale;
    }
}
