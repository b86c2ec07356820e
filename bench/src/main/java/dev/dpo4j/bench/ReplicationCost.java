package dev.dpo4j.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.LocalParameterServer;
import ai.djl.training.ParameterStore;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.dpo4j.api.train.TrainingListener;
import dev.dpo4j.core.model.CausalLm;
import dev.dpo4j.core.model.ModelConfig;
import dev.dpo4j.core.train.DpoTrainer;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/**
 * What a second device costs with DJL's own multi-device machinery ({@code ParameterStore} +
 * {@code LocalParameterServer} + DJL's {@code Adam}) and with dpo4j's data parallelism, on the same model shape,
 * with the GPU and the CPU as the two devices, so that the GPU's used memory (DJL's {@code CudaUtils.getGpuMemory})
 * is one device's whole share. DJL's scheme is symmetric (every device holds a float32 mirror, its gradient and its
 * own Adam moments; the GPU is listed first, since {@code ParameterStore} pairs mirrors with devices in hash order and
 * only that order lines them up); in dpo4j's the CPU trains the policy and the GPU is the other worker. Also reports
 * how far DJL's two replicas drift apart after Adam steps on identical gradients. Prints one JSON object.
 *
 * <pre>
 * ReplicationCost djl|dpo4j [shape (qwen2.5-0.5b)] [device (gpu0)]
 * </pre>
 *
 * Run each part in a process of its own: PyTorch's caching allocator keeps what one part freed, which would hide the
 * other part's use.
 */
public final class ReplicationCost {

    private static final double GIB = 1L << 30;

    private ReplicationCost() {
    }

    public static void main(String[] args) throws Exception {
        String part = args.length > 0 ? args[0] : "djl";
        String shape = args.length > 1 ? args[1] : "qwen2.5-0.5b";
        Device gpu = Device.fromName(args.length > 2 ? args[2] : "gpu0");
        ModelConfig config = ModelConfig.fromJson(BenchModels.configJson(shape), shape);
        JsonObject result = new JsonObject();
        result.addProperty("shape", shape);
        result.addProperty("second_device", gpu.toString());
        Engine.getInstance().setRandomSeed(42);
        try (NDManager cpu = NDManager.newBaseManager(Device.cpu())) {
            CausalLm model = BenchModels.randomModel(config, cpu);
            result.addProperty("parameters", model.parameterCount());
            if (part.equals("djl")) {
                djlParameterServer(model, cpu, gpu, result);
            } else {
                dpo4jDataParallel(model, gpu, config, result);
            }
        }
        System.out.println(new GsonBuilder().serializeSpecialFloatingPointValues().create().toJson(result));
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }

    /** DJL's machinery: mirrors, gradients, then two LocalParameterServer updates with Adam. */
    private static void djlParameterServer(CausalLm model, NDManager cpu, Device gpu, JsonObject result) {
        double idle = BenchDevices.djlUsedGib(gpu);
        List<Parameter> parameters = new ArrayList<>();
        model.parameters().forEach((name, weight) -> parameters.add(Parameter.builder().setName(name)
                .setType(Parameter.Type.WEIGHT).optShape(weight.getShape()).optArray(weight.duplicate()).build()));
        Optimizer adam = Optimizer.adam().optLearningRateTracker(Tracker.fixed(1e-3f)).build();
        try (NDManager storeManager = cpu.newSubManager()) {
            ParameterStore store = new ParameterStore(storeManager, false);
            store.setParameterServer(new LocalParameterServer(adam), new Device[] {gpu, Device.cpu()});
            for (Parameter p : parameters) {
                store.getValue(p, gpu, true);
            }
            double mirrors = BenchDevices.djlUsedGib(gpu);
            for (int step = 1; step <= 2; step++) {
                for (Device device : new Device[] {gpu, Device.cpu()}) {
                    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                        for (Parameter p : parameters) {
                            collector.backward(store.getValue(p, device, true).sum()); // gradient: all ones
                        }
                    }
                }
                store.updateAllParameters();
                if (step == 1) {
                    result.addProperty("djl_gib_mirror_and_gradient", BenchDevices.djlUsedGib(gpu) - idle);
                }
            }
            double updated = BenchDevices.djlUsedGib(gpu);
            result.addProperty("djl_gib_mirror", mirrors - idle);
            result.addProperty("djl_mirror_on", store.getValue(parameters.get(0), gpu, false).getDevice().toString());
            result.addProperty("djl_gib_second_device_total", updated - idle);
            double drift = 0;
            for (Parameter p : parameters) {
                NDArray onCpu = store.getValue(p, Device.cpu(), false);
                try (NDArray onGpu = store.getValue(p, gpu, false).toDevice(Device.cpu(), true)) {
                    drift = Math.max(drift, onCpu.sub(onGpu).abs().max().getFloat());
                }
            }
            result.addProperty("djl_replica_drift_after_2_steps_in_lr", drift / 1e-3);
        }
        parameters.forEach(Parameter::close);
    }

    /** dpo4j: the CPU trains the policy, the GPU is the second worker; 2 float16 steps on short synthetic pairs. */
    private static void dpo4jDataParallel(CausalLm model, Device gpu, ModelConfig config, JsonObject result)
            throws Exception {
        double idle = BenchDevices.djlUsedGib(gpu);
        double[] peak = {0};
        int eos = config.vocabSize() - 1;
        DpoTrainer.builder().model(model, new SyntheticPairs.IdTokenizer(eos), null)
                .template(new SyntheticPairs.RawTemplate())
                .trainData(SyntheticPairs.pairs(4, 16, config.vocabSize(), eos, 3))
                .outputDir(Files.createTempDirectory("dpo4j-replication")).overwriteOutputDir(true)
                .fp16(true).perDeviceTrainBatchSize(1).maxSteps(2).maxLength(0).progressBar(false)
                .devices(Device.cpu(), gpu)
                .listener(new TrainingListener() {
                    @Override
                    public void onStep(long step, long totalSteps) {
                        peak[0] = Math.max(peak[0], BenchDevices.djlUsedGib(gpu) - idle);
                        if (step == totalSteps) {
                            result.addProperty("dpo4j_gib_second_device_total", peak[0]);
                            System.out.println(new GsonBuilder().serializeSpecialFloatingPointValues().create()
                                    .toJson(result));
                            System.out.flush();
                            Runtime.getRuntime().halt(0);
                        }
                    }
                }).build().train();
    }
}
