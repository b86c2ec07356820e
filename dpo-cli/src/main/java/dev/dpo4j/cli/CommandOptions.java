package dev.dpo4j.cli;

import dev.dpo4j.api.options.Option;
import dev.dpo4j.api.options.OptionRecords;
import dev.dpo4j.cli.launch.LaunchOptions;
import dev.dpo4j.hub.datasets.SplitNames;
import java.nio.file.Path;
import java.util.List;

/**
 * The options of the {@code dpo} command beside the training options of {@code DpoConfig}: what to train on, where
 * from, and how the command runs. Declared as the training options are ({@link Option}), so that their flags, help
 * and config-file keys are derived the same way ({@link Flags}).
 *
 * @param input the model, the data and the template (listed before the training options)
 * @param setup the devices, the console, the config file and the Hub (listed after them)
 * @param launch the launcher's flags: ranks to start on this node, and where they meet (listed last)
 */
record CommandOptions(Input input, Setup setup, LaunchOptions launch) {

    /** The model, the data and the template. */
    record Input(
            @Option(doc = "Hugging Face model folder (config.json, model.safetensors, tokenizer.json) or Hub model id "
                    + "(e.g. Qwen/Qwen2.5-0.5B-Instruct), downloaded into the Hugging Face cache or found there; or a "
                    + "PEFT adapter (folder or Hub id with adapter_config.json and adapter_model.safetensors), trained "
                    + "further on its base_model_name_or_path.", label = "DIR|ID",
                    defaultDoc = "the embedded tiny model, random-initialized from --seed")
            Path modelNameOrPath,
            @Option(doc = "A reference model other than the starting policy (a folder or Hub id with the same "
                    + "vocabulary), e.g. the SFT model the policy came from.", label = "DIR|ID",
                    defaultDoc = "the starting policy")
            String refModelNameOrPath,
            @Option(doc = "Dataset schema of --data_files: orca_dpo_pairs, ultrafeedback_binarized, nectar or generic "
                    + "(prompt/chosen/rejected). A Hub dataset id (e.g. Intel/orca_dpo_pairs) without --data_files "
                    + "downloads that dataset (generic schema for ids without an adapter).", value = "generic",
                    label = "NAME")
            String dataset,
            @Option(doc = "Parquet, JSONL or JSON files (optionally .gz) or folders of them, or a Hub dataset id. Eval "
                    + "files (test*, eval*, validation*) among or beside them become the eval set; from the Hub, the "
                    + "dataset's own eval split (test_prefs for train_prefs).", label = "PATH",
                    defaultDoc = "the embedded pairs")
            List<Path> dataFiles,
            @Option(doc = "How --dataset nectar pairs each prompt's ranked answers: best_vs_random (the rank-1 answer "
                    + "against one lower-ranked answer drawn at random per row from --seed), best_vs_worst, or all_pairs "
                    + "(every pair of different ranks, the better one chosen).", value = "best_vs_random",
                    label = "NAME")
            String nectarPairing,
            @Option(doc = "Fraction of rows held out for evaluation when the data has no eval files; 0 for none.",
                    value = "0.05", label = "F", min = 0, max = 1, maxExclusive = true)
            double evalFraction,
            @Option(doc = "Skip malformed rows and report them instead of stopping at the first.", value = "false")
            boolean lenient,
            @Option(doc = "Prompt template: chatml, llama3, zephyr, mistral, plain, trl (TRL's standard format: "
                    + "prompt and completion texts concatenated), or model (the model's own Jinja chat_template from "
                    + "its tokenizer_config.json).", value = "chatml", label = "NAME")
            String template,
            @Option(doc = "System prompt added to conversations that have none.", label = "TEXT", defaultDoc = "none")
            String systemPrompt) {

        /** Checks the ranges; the error names the option. */
        Input {
            OptionRecords.check(Input.class, modelNameOrPath, refModelNameOrPath, dataset, dataFiles, nectarPairing,
                    evalFraction, lenient, template, systemPrompt).throwIfAny();
        }

        /** Whether data files were given. */
        boolean hasDataFiles() {
            return dataFiles != null && !dataFiles.isEmpty();
        }
    }

    /** The devices, the console, the config file and the Hub. */
    record Setup(
            @Option(doc = "Devices to train on, data-parallel, comma-separated: cpu, gpu0, gpu1, ... or auto (every "
                    + "GPU PyTorch sees, else the CPU). Each runs per_device_train_batch_size pairs per micro-batch "
                    + "and gradients are summed on the first before each step, so the global batch is per-device "
                    + "batch x accumulation x devices.", value = "auto", label = "DEVS", aliases = "device")
            String devices,
            @Option(doc = "Hide the progress bar.", value = "false")
            boolean disableTqdm,
            @Option(doc = "A JSON or YAML file of flags by snake_case name (e.g. learning_rate: 5.0e-7); command-line "
                    + "flags override it.", label = "FILE")
            Path config,
            @Option(doc = "Training split of a Hub dataset (e.g. train_prefs).", value = SplitNames.DEFAULT_SPLIT,
                    label = "SPLIT")
            String datasetSplit,
            @Option(doc = "Branch, tag or commit of a Hub model.", label = "REV", defaultDoc = "main",
                    aliases = "model_revision")
            String revision,
            @Option(doc = "Branch, tag or commit of a Hub dataset.", label = "REV", defaultDoc = "main")
            String datasetRevision,
            @Option(doc = "Hugging Face cache folder for Hub downloads.", label = "DIR", defaultDoc = "$HF_HUB_CACHE, "
                    + "else $HF_HOME/hub, else ~/.cache/huggingface/hub (shared with Python)")
            Path cacheDir) {
    }
}
