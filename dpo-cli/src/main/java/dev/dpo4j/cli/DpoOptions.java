package dev.dpo4j.cli;

import dev.dpo4j.hub.datasets.SplitNames;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The flags of the {@code dpo} command, named as TRL's {@code DPOConfig} and the Hugging Face alignment-handbook
 * scripts name them (snake_case, with kebab-case aliases). Every flag can also be set in a {@code --config} file
 * under the same snake_case name; flags on the command line win.
 */
@Command(name = "dpo", mixinStandardHelpOptions = true, version = "dpo4j dpo 0.1.0", sortOptions = false,
        usageHelpWidth = 120, usageHelpAutoWidth = true, showDefaultValues = false,
        description = {
            "Direct Preference Optimization of a causal language model (Llama, Mistral, Qwen2, Qwen3 families).",
            "Without --model_name_or_path and --data_files it trains the embedded tiny model on the embedded "
                + "preference pairs, with demo defaults (marked 'demo:' below) that differ from the defaults for "
                + "real models.",
            ""},
        footer = {"",
            "Flags take --flag=value or --flag value; boolean flags also take a bare --flag. --config FILE (JSON or "
                + "YAML) sets any flag by its snake_case name; flags given on the command line override it.",
            "Example: dpo --model_name_or_path Qwen2.5-0.5B-Instruct --dataset ultrafeedback_binarized "
                + "--data_files data/ --template model --output_dir out"})
public final class DpoOptions {

    // ---- model, data and template

    @Option(names = {"--model_name_or_path", "--model-name-or-path"}, paramLabel = "DIR|ID", order = 1,
            description = "Hugging Face model folder (config.json, model.safetensors, tokenizer.json) or Hub model id "
                    + "(e.g. Qwen/Qwen2.5-0.5B-Instruct), downloaded into the Hugging Face cache or found there; or "
                    + "a PEFT adapter (folder or Hub id with adapter_config.json and adapter_model.safetensors), "
                    + "trained further on its base_model_name_or_path. "
                    + "Default: the embedded tiny model, random-initialized from --seed.")
    Path modelNameOrPath;

    @Option(names = {"--ref_model_name_or_path", "--ref-model-name-or-path"}, paramLabel = "DIR|ID", order = 1,
            description = "A reference model other than the starting policy (a folder or Hub id with the same "
                    + "vocabulary), e.g. the SFT model the policy came from. Default: the starting policy.")
    String refModelNameOrPath;

    @Option(names = {"--output_dir", "--output-dir"}, paramLabel = "DIR", defaultValue = "dpo-output", order = 2,
            description = "Where the trained model, checkpoints, metrics.jsonl and training_curves.png go. "
                    + "Default: ${DEFAULT-VALUE}.")
    Path outputDir;

    @Option(names = {"--overwrite_output_dir", "--overwrite-output-dir"}, arity = "0..1", order = 3, description = "Write into a non-empty --output_dir. Default: ${DEFAULT-VALUE}.")
    boolean overwriteOutputDir;

    @Option(names = {"--dataset"}, paramLabel = "NAME", defaultValue = "generic", order = 4,
            description = "Dataset schema of --data_files: orca_dpo_pairs, ultrafeedback_binarized, nectar or "
                    + "generic (prompt/chosen/rejected). A Hub dataset id (e.g. Intel/orca_dpo_pairs) without "
                    + "--data_files downloads that dataset (generic schema for ids without an adapter). Default: "
                    + "${DEFAULT-VALUE}.")
    String dataset;

    @Option(names = {"--data_files", "--data-files"}, paramLabel = "PATH", arity = "1..*", order = 5,
            description = "Parquet, JSONL or JSON files (optionally .gz) or folders of them, or a Hub dataset id. "
                    + "Eval files (test*, eval*, validation*) among or beside them become the eval set; from the "
                    + "Hub, the dataset's own eval split (test_prefs for train_prefs). Default: the embedded pairs.")
    List<Path> dataFiles;

    @Option(names = {"--eval_fraction", "--eval-fraction"}, paramLabel = "F", defaultValue = "0.05", order = 6,
            description = "Fraction of rows held out for evaluation when the data has no eval files; 0 for none. "
                    + "Default: ${DEFAULT-VALUE} (demo: 0.1).")
    double evalFraction;

    @Option(names = {"--lenient"}, arity = "0..1", defaultValue = "false", order = 7,
            description = "Skip malformed rows and report them instead of stopping at the first. Default: "
                    + "${DEFAULT-VALUE}.")
    boolean lenient;

    @Option(names = {"--template"}, paramLabel = "NAME", defaultValue = "chatml", order = 8,
            description = "Prompt template: chatml, llama3, zephyr, mistral, plain, or model (the model's own Jinja "
                    + "chat_template from its tokenizer_config.json). Default: ${DEFAULT-VALUE}.")
    String template;

    @Option(names = {"--system_prompt", "--system-prompt"}, paramLabel = "TEXT", order = 9,
            description = "System prompt added to conversations that have none. Default: none.")
    String systemPrompt;

    // ---- lengths

    @Option(names = {"--max_length", "--max-length"}, paramLabel = "N", order = 10,
            description = "Drop pairs whose prompt plus longer completion exceed N tokens; 0: no limit. Default: "
                    + "${DEFAULT-VALUE}.")
    int maxLength;

    @Option(names = {"--max_prompt_length", "--max-prompt-length"}, paramLabel = "N", order = 11, description = "Keep only the last N prompt tokens; 0: no limit. Default: ${DEFAULT-VALUE}.")
    int maxPromptLength;

    @Option(names = {"--max_target_length", "--max-target-length", "--max_completion_length",
        "--max-completion-length"}, paramLabel = "N", order = 12,
            description = "Keep only the first N tokens of each completion (TRL now calls it max_completion_length); "
                    + "0: no limit. Default: ${DEFAULT-VALUE}.")
    int maxTargetLength;

    // ---- batches and schedule

    @Option(names = {"--per_device_train_batch_size", "--per-device-train-batch-size"}, paramLabel = "N",
            order = 13, description = "Pairs per device per training forward pass. Default: "
                    + "${DEFAULT-VALUE}.")
    int perDeviceTrainBatchSize;

    @Option(names = {"--per_device_eval_batch_size", "--per-device-eval-batch-size"}, paramLabel = "N",
            order = 14, description = "Pairs per device per evaluation forward pass. Default: "
                    + "${DEFAULT-VALUE}.")
    int perDeviceEvalBatchSize;

    @Option(names = {"--gradient_accumulation_steps", "--gradient-accumulation-steps"}, paramLabel = "N",
            order = 15, description = "Micro-batches per optimizer step (global batch = "
                    + "per_device_train_batch_size x this x devices). Default: ${DEFAULT-VALUE}.")
    int gradientAccumulationSteps;

    @Option(names = {"--learning_rate", "--learning-rate"}, paramLabel = "LR", order = 16,
            description = "Peak learning rate of AdamW. Default: ${DEFAULT-VALUE} (demo: 1e-3).")
    double learningRate;

    @Option(names = {"--num_train_epochs", "--num-train-epochs"}, paramLabel = "N", order = 17,
            description = "Epochs over the training pairs. Default: ${DEFAULT-VALUE} (demo: 8).")
    int numTrainEpochs;

    @Option(names = {"--max_steps", "--max-steps"}, paramLabel = "N", order = 18,
            description = "Stop after N optimizer steps; overrides --num_train_epochs when positive. Default: "
                    + "${DEFAULT-VALUE}.")
    long maxSteps;

    @Option(names = {"--warmup_steps", "--warmup-steps"}, paramLabel = "N", order = 19,
            description = "Linear warmup steps. Default: ${DEFAULT-VALUE} (demo: 10).")
    long warmupSteps;

    @Option(names = {"--lr_scheduler_type", "--lr-scheduler-type"}, paramLabel = "TYPE", order = 20, description = "Decay after warmup: linear, cosine or constant. Default: ${DEFAULT-VALUE}.")
    String lrSchedulerType;

    @Option(names = {"--weight_decay", "--weight-decay"}, paramLabel = "W", order = 21,
            description = "AdamW decoupled weight decay. Default: ${DEFAULT-VALUE}.")
    double weightDecay;

    @Option(names = {"--max_grad_norm", "--max-grad-norm"}, paramLabel = "N", order = 22,
            description = "Clip the global gradient norm to this; 0: no clipping. Default: ${DEFAULT-VALUE}.")
    double maxGradNorm;

    // ---- loss

    @Option(names = {"--beta"}, paramLabel = "B", order = 23,
            description = "DPO temperature: how far the policy may move from the reference. Default: "
                    + "${DEFAULT-VALUE}.")
    double beta;

    @Option(names = {"--loss_type", "--loss-type"}, paramLabel = "TYPE", order = 24,
            description = "sigmoid (DPO), robust, hinge, ipo, simpo, sigmoid_norm, exo_pair, nca_pair, bco_pair, "
                    + "sppo_hard, aot, aot_unpaired, apo_zero, apo_down, discopop or sft, as TRL defines them; "
                    + "several comma-separated add up (see --loss_weights). Default: ${DEFAULT-VALUE}.")
    String lossType;

    @Option(names = {"--loss_weights", "--loss-weights"}, paramLabel = "W,W", split = ",", order = 24,
            description = "The weight of each loss when --loss_type names several, comma-separated (e.g. "
                    + "--loss_type sigmoid,sft --loss_weights 1,0.5). Default: 1 each.")
    List<Double> lossWeights;

    @Option(names = {"--rpo_alpha", "--rpo-alpha"}, paramLabel = "A", order = 24,
            description = "RPO: add A times the chosen completions' negative log-likelihood to the loss; 0: off. "
                    + "Default: ${DEFAULT-VALUE}.")
    double rpoAlpha;

    @Option(names = {"--label_smoothing", "--label-smoothing"}, paramLabel = "E", order = 25,
            description = "Assumed label noise in [0, 0.5) for conservative (sigmoid), robust or aot DPO; EXO's "
                    + "target weight on the rejected completion. Default: ${DEFAULT-VALUE}.")
    double labelSmoothing;

    @Option(names = {"--precompute_ref_log_probs", "--precompute-ref-log-probs"}, arity = "0..1",
            order = 26, description = "Compute the reference log-probs once before "
                    + "training and free the reference model (less memory). Default: ${DEFAULT-VALUE}.")
    boolean precomputeRefLogProbs;

    @Option(names = {"--sync_ref_model", "--sync-ref-model"}, arity = "0..1", order = 26,
            description = "TR-DPO: move the reference towards the policy every --ref_model_sync_steps steps, "
                    + "ref = a * policy + (1 - a) * ref with a = --ref_model_mixup_alpha. Default: ${DEFAULT-VALUE}.")
    boolean syncRefModel;

    @Option(names = {"--ref_model_mixup_alpha", "--ref-model-mixup-alpha"}, paramLabel = "A", order = 26, description = "The policy's share in each reference update. Default: ${DEFAULT-VALUE}.")
    double refModelMixupAlpha;

    @Option(names = {"--ref_model_sync_steps", "--ref-model-sync-steps"}, paramLabel = "N", order = 26, description = "Steps between reference updates. Default: ${DEFAULT-VALUE}.")
    long refModelSyncSteps;

    @Option(names = {"--simpo_gamma", "--simpo-gamma"}, paramLabel = "G", order = 26,
            description = "SimPO's target reward margin (with --loss_type simpo). Default: ${DEFAULT-VALUE}.")
    double simpoGamma;

    @Option(names = {"--f_divergence_type", "--f-divergence-type"}, paramLabel = "F", order = 26, description = "The divergence towards the reference (f-DPO): reverse_kl (plain DPO), "
                    + "forward_kl, js_divergence or alpha_divergence. Default: ${DEFAULT-VALUE}.")
    String fDivergenceType;

    @Option(names = {"--f_alpha_divergence_coef", "--f-alpha-divergence-coef"}, paramLabel = "A",
            order = 26, description = "The alpha divergence's coefficient. Default: "
                    + "${DEFAULT-VALUE}.")
    double fAlphaDivergenceCoef;

    @Option(names = {"--discopop_tau", "--discopop-tau"}, paramLabel = "T", order = 26,
            description = "DiscoPOP's temperature (with --loss_type discopop). Default: ${DEFAULT-VALUE}.")
    double discopopTau;

    // ---- speed and memory

    @Option(names = {"--fp16"}, arity = "0..1", order = 26,
            description = "float16 compute with float32 master weights and dynamic loss scaling (GPUs). Default: "
                    + "${DEFAULT-VALUE}.")
    boolean fp16;

    @Option(names = {"--bf16"}, arity = "0..1", fallbackValue = "true", order = 26,
            description = "bfloat16 compute with float32 master weights and no loss scaling. Default: on where it "
                    + "pays (a GPU of compute capability 8 or more, with the TorchScript kernels), unless --fp16.")
    Boolean bf16;

    @Option(names = {"--kernels"}, paramLabel = "K", order = 26,
            description = "auto (the TorchScript kernels wherever they load: flash attention, fused AdamW, "
                    + "bfloat16; else DJL's own operations), torchscript (fail if they do not load) or djl. "
                    + "Default: ${DEFAULT-VALUE}.")
    String kernels;

    @Option(names = {"--gradient_checkpointing", "--gradient-checkpointing"}, arity = "0..1", fallbackValue = "true",
            order = 26, paramLabel = "true|false|auto",
            description = "Recompute each decoder layer and the LM head, chunk by chunk, in backward: far less memory "
                    + "for about a third more compute. Default: auto (a micro-batch recomputes only as many layers as "
                    + "its activations need to fit in the free GPU memory).")
    String gradientCheckpointing;

    @Option(names = {"--share_prompt", "--share-prompt"}, arity = "0..1", fallbackValue = "true", order = 26,
            description = "Run each pair's prompt once for both completions (one row behind a block mask, the "
                    + "same log-probs); false: chosen and rejected as separate rows. Default: ${DEFAULT-VALUE}.")
    boolean sharePrompt;

    @Option(names = {"--group_by_length", "--group-by-length"}, arity = "0..1", order = 26,
            description = "Batch pairs of similar length together to cut padding. Default: ${DEFAULT-VALUE}.")
    boolean groupByLength;

    @Option(names = {"--pad_to_multiple_of", "--pad-to-multiple-of"}, paramLabel = "N", order = 26, description = "Round padded batch lengths up to a multiple of N (8 suits GPUs). Default: "
                    + "${DEFAULT-VALUE}.")
    int padToMultipleOf;

    // ---- LoRA (TRL's ModelConfig, PEFT's LoraConfig)

    @Option(names = {"--use_peft", "--use-peft"}, arity = "0..1", fallbackValue = "true", order = 26,
            description = "Whether to use PEFT for training: LoRA adapters on the frozen base weights instead of "
                    + "every weight; the output is a PEFT adapter folder. Default: ${DEFAULT-VALUE}.")
    boolean usePeft;

    @Option(names = {"--lora_r", "--lora-r"}, paramLabel = "R", order = 26,
            description = "LoRA R value: the adapters' rank. Default: ${DEFAULT-VALUE}.")
    int loraR;

    @Option(names = {"--lora_alpha", "--lora-alpha"}, paramLabel = "A", order = 26,
            description = "LoRA alpha: the adapters' update is scaled by lora_alpha / r. Default: ${DEFAULT-VALUE}.")
    int loraAlpha;

    @Option(names = {"--lora_dropout", "--lora-dropout"}, paramLabel = "P", order = 26,
            description = "LoRA dropout on the adapters' input, in effect with --disable_dropout false. Default: "
                    + "${DEFAULT-VALUE}.")
    double loraDropout;

    @Option(names = {"--lora_target_modules", "--lora-target-modules"}, paramLabel = "NAME", split = "\\s*,\\s*",
            splitSynopsisLabel = ",", order = 26,
            description = "LoRA target modules, comma-separated: linear layer names or suffixes (q_proj, k_proj, "
                    + "v_proj, o_proj, gate_proj, up_proj, down_proj), or all-linear alone (every linear layer but "
                    + "the LM head). Default: ${DEFAULT-VALUE}.")
    List<String> loraTargetModules;

    @Option(names = {"--use_rslora", "--use-rslora"}, arity = "0..1", fallbackValue = "true", order = 26,
            description = "Whether to use Rank-Stabilized LoRA, which sets the adapter scaling factor to "
                    + "lora_alpha/sqrt(r), instead of the original default value of lora_alpha/r. Default: "
                    + "${DEFAULT-VALUE}.")
    boolean useRslora;

    @Option(names = {"--merge_adapters", "--merge-adapters"}, arity = "0..1", fallbackValue = "true", order = 26,
            description = "Also save the base with the adapters merged in, a Hugging Face model in the base's dtype, "
                    + "under --output_dir/merged (needs --use_peft). Default: ${DEFAULT-VALUE}.")
    boolean mergeAdapters;

    @Option(names = {"--disable_dropout", "--disable-dropout"}, arity = "0..1", fallbackValue = "true",
            order = 26, description = "Whether to disable dropout in the model and reference model; dpo4j's models "
                    + "have none of their own, so this sets --lora_dropout to 0 while training. Default: "
                    + "${DEFAULT-VALUE}.")
    boolean disableDropout;

    // ---- logging, evaluation, checkpoints

    @Option(names = {"--logging_steps", "--logging-steps"}, paramLabel = "N", order = 27,
            description = "Log averaged training metrics every N steps. Default: ${DEFAULT-VALUE} (demo: 5).")
    long loggingSteps;

    @Option(names = {"--report_to", "--report-to"}, paramLabel = "NAME", split = ",", order = 27,
            description = "Where metrics go, comma-separated: jsonl (metrics.jsonl), tensorboard (event files under "
                    + "--output_dir/runs/, readable by TensorBoard and by wandb sync --sync-tensorboard), all, or "
                    + "none. Default: ${DEFAULT-VALUE}.")
    List<String> reportTo;

    @Option(names = {"--eval_steps", "--eval-steps"}, paramLabel = "N", order = 28,
            description = "Evaluate every N steps; 0: only at the end. Default: ${DEFAULT-VALUE} (demo: 10).")
    long evalSteps;

    @Option(names = {"--save_strategy", "--save-strategy"}, paramLabel = "WHEN", order = 29,
            description = "Checkpoints: no, epoch or steps. The final model is always saved. Default: "
                    + "${DEFAULT-VALUE}.")
    String saveStrategy;

    @Option(names = {"--save_steps", "--save-steps"}, paramLabel = "N", order = 30,
            description = "Checkpoint every N steps with --save_strategy steps. Default: ${DEFAULT-VALUE}.")
    long saveSteps;

    @Option(names = {"--save_dtype", "--save-dtype"}, paramLabel = "TYPE", order = 30,
            description = "Data type of the saved model's weights: auto (the starting model's, from its config.json), "
                    + "float32, float16 or bfloat16. Checkpoints stay float32. Default: ${DEFAULT-VALUE}.")
    String saveDtype;

    @Option(names = {"--save_total_limit", "--save-total-limit"}, paramLabel = "N", order = 30,
            description = "Keep only the newest N checkpoint-* folders, deleting older ones once a new one is "
                    + "complete; 0: keep all. Default: ${DEFAULT-VALUE}.")
    int saveTotalLimit;

    @Option(names = {"--resume_from_checkpoint", "--resume-from-checkpoint"}, paramLabel = "DIR", order = 31,
            description = "Continue an earlier run with the same data and seed: a checkpoint-N folder, or a folder "
                    + "holding checkpoints (its newest complete one), or true / last for the --output_dir.")
    String resumeFromCheckpoint;

    @Option(names = {"--seed"}, paramLabel = "N", order = 32,
            description = "Seed of the data order, the eval split and the embedded model's weights. Default: "
                    + "${DEFAULT-VALUE}.")
    long seed;

    // ---- runtime

    @Option(names = {"--devices", "--device"}, paramLabel = "DEVS", defaultValue = "auto", order = 33,
            description = "Devices to train on, data-parallel, comma-separated: cpu, gpu0, gpu1, ... or auto (every "
                    + "GPU PyTorch sees, else the CPU). Each runs per_device_train_batch_size pairs per micro-batch "
                    + "and gradients are summed on the first before each step, so the global batch is per-device "
                    + "batch x accumulation x devices. Default: ${DEFAULT-VALUE}.")
    String devices;

    @Option(names = {"--disable_tqdm", "--disable-tqdm"}, arity = "0..1", defaultValue = "false", order = 34,
            description = "Hide the progress bar. Default: ${DEFAULT-VALUE}.")
    boolean disableTqdm;

    @Option(names = {"--config"}, paramLabel = "FILE", order = 35,
            description = "A JSON or YAML file of flags by snake_case name (e.g. learning_rate: 5.0e-7); "
                    + "command-line flags override it.")
    Path config;

    // ---- Hugging Face Hub (HF_TOKEN, HF_ENDPOINT, HF_HOME, HF_HUB_CACHE and HF_HUB_OFFLINE are read as Python does)

    @Option(names = {"--dataset_split", "--dataset-split"}, paramLabel = "SPLIT", defaultValue = SplitNames.DEFAULT_SPLIT, order = 36,
            description = "Training split of a Hub dataset (e.g. train_prefs). Default: ${DEFAULT-VALUE}.")
    String datasetSplit;

    @Option(names = {"--revision", "--model_revision", "--model-revision"}, paramLabel = "REV", order = 37,
            description = "Branch, tag or commit of a Hub model. Default: main.")
    String revision;

    @Option(names = {"--dataset_revision", "--dataset-revision"}, paramLabel = "REV", order = 38,
            description = "Branch, tag or commit of a Hub dataset. Default: main.")
    String datasetRevision;

    @Option(names = {"--cache_dir", "--cache-dir"}, paramLabel = "DIR", order = 39,
            description = "Hugging Face cache folder for Hub downloads. Default: $HF_HUB_CACHE, else "
                    + "$HF_HOME/hub, else ~/.cache/huggingface/hub (shared with Python).")
    Path cacheDir;

    /** Whether the embedded model is trained (no --model_name_or_path). */
    public boolean embeddedModel() {
        return modelNameOrPath == null;
    }
}
