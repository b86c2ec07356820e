package dev.dpo4j.api.train;

/**
 * What a training run is about to do, sent to listeners before the first step.
 *
 * @param trainExamples training pairs kept after the {@code max_length} filter
 * @param droppedExamples training pairs dropped because prompt plus completion exceeded {@code max_length}
 * @param evalExamples evaluation pairs (0 when there is no eval set)
 * @param epochs number of epochs
 * @param totalSteps optimizer steps over all epochs
 * @param startStep the step training starts from (non-zero when resuming)
 * @param globalBatchSize pairs per optimizer step: per-device batch x accumulation x devices
 * @param deviceCount data-parallel devices: each runs {@code per_device_train_batch_size} pairs per micro-batch
 * @param devices devices trained on, as DJL names them, comma-separated ({@code cpu()}, {@code gpu(0), gpu(1)})
 * @param precision compute precision ({@code float32} or {@code float16})
 * @param memory the estimated memory per device, one line ({@code estimated GPU memory per device: ...}, host memory
 *     on the CPU)
 */
public record TrainingPlan(long trainExamples, long droppedExamples, long evalExamples, int epochs,
        long totalSteps, long startStep, int globalBatchSize, int deviceCount, String devices, String precision,
        String memory) {
}
