package dev.dpo4j.core.train;

/** A place training metrics are reported to, one value of TRL's {@code report_to}. */
public enum Reporter {
    /** {@code metrics.jsonl} in the output folder, one JSON object per logged or evaluation metric set. */
    JSONL,
    /** TensorBoard event files under {@code output_dir/runs/}, as transformers' {@code TensorBoardCallback}. */
    TENSORBOARD
}
