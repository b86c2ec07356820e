package dev.dpo4j.core.train;

import dev.dpo4j.api.train.DpoMetrics;
import dev.dpo4j.core.lora.LoraOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The model card ({@code README.md}) saved with a trained model, as TRL's {@code generate_model_card} writes it
 * ({@code trl/templates/lm_model_card.md}): the Hub's YAML header (base model, datasets, library, tags with TRL's
 * {@code trl} and {@code dpo} and {@code dpo4j}), how to use it, how it was trained (the loss, beta and the main
 * hyperparameters; LoRA or every weight), the final training and evaluation metrics, and DPO's citation.
 */
final class ModelCard {

    static final String FILE_NAME = "README.md";

    /** DPO's citation, as TRL's {@code DPOTrainer._paper} has it. */
    static final String DPO_CITATION = """
            @inproceedings{rafailov2023direct,
                title        = {{Direct Preference Optimization: Your Language Model is Secretly a Reward Model}},
                author       = {Rafael Rafailov and Archit Sharma and Eric Mitchell and Christopher D. Manning and \
            Stefano Ermon and Chelsea Finn},
                year         = 2023,
                booktitle    = {Advances in Neural Information Processing Systems 36: Annual Conference on Neural \
            Information Processing Systems 2023, NeurIPS 2023, New Orleans, LA, USA, December 10 - 16, 2023},
                url          = {http://papers.nips.cc/paper_files/paper/2023/hash/\
            a85b405ed65c6477a4fe8302b5e06ce7-Abstract-Conference.html},
                editor       = {Alice Oh and Tristan Naumann and Amir Globerson and Kate Saenko and Moritz Hardt and \
            Sergey Levine},
            }""";

    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9._/-][A-Za-z0-9._/:-]*");
    private static final List<String> SHOWN = List.of("loss", "rewards/accuracies", "rewards/margins",
            "rewards/chosen", "rewards/rejected", "logps/chosen", "logps/rejected");

    /**
     * What the card says.
     *
     * @param modelName the repository's name part, or the output folder's name
     * @param hubModelId the repository id the quick start loads
     * @param baseModel the Hub id of the starting model, or null when it was a local folder
     * @param datasetName the Hub id of the dataset, or null when unknown
     * @param adapter whether LoRA adapters were trained (a PEFT adapter folder) rather than every weight
     * @param globalBatchSize pairs per optimizer step
     * @param steps optimizer steps trained
     * @param cancelled whether the run was stopped early
     * @param train the last logged training metrics, or null
     * @param eval the last evaluation's metrics, or null
     */
    record Facts(String modelName, String hubModelId, String baseModel, String datasetName, boolean adapter,
            DpoConfig config, int globalBatchSize, long steps, boolean cancelled, DpoMetrics train, DpoMetrics eval) {
    }

    private ModelCard() {
    }

    /** The card's text: YAML header, then the Markdown body. */
    static String render(Facts f) {
        return header(f) + "\n" + intro(f) + quickStart(f) + procedure(f) + results(f) + citation();
    }

    static String header(Facts f) {
        StringBuilder y = new StringBuilder("---\n");
        if (f.baseModel() != null) {
            y.append("base_model: ").append(yaml(f.baseModel())).append('\n');
        }
        if (f.datasetName() != null) {
            y.append("datasets: ").append(yaml(f.datasetName())).append('\n');
        }
        y.append("library_name: ").append(f.adapter() ? "peft" : "transformers").append('\n');
        y.append("model_name: ").append(yaml(f.modelName())).append('\n');
        y.append("pipeline_tag: text-generation\n");
        y.append("tags:\n");
        for (String tag : tags(f)) {
            y.append("- ").append(yaml(tag)).append('\n');
        }
        return y.append("---\n").toString();
    }

    /** TRL's tags ({@code generated_from_trainer}, {@code trl}, {@code dpo}), {@code dpo4j}, PEFT's for adapters. */
    static List<String> tags(Facts f) {
        List<String> tags = new ArrayList<>(List.of("generated_from_trainer", "trl", "dpo", "dpo4j"));
        if (f.adapter()) {
            tags.add("lora");
            if (f.baseModel() != null) {
                tags.add("base_model:adapter:" + f.baseModel());
            }
        }
        return tags;
    }

    private static String intro(Facts f) {
        String base = f.baseModel() == null ? "a local model"
                : "[" + f.baseModel() + "](https://huggingface.co/" + f.baseModel() + ")";
        return "# Model Card for " + f.modelName() + "\n\n"
                + (f.adapter() ? "This model is a LoRA adapter for " : "This model is a fine-tuned version of ") + base
                + (f.datasetName() == null ? "" : " on the [" + f.datasetName() + "](https://huggingface.co/datasets/"
                        + f.datasetName() + ") dataset") + ".\n"
                + "It has been trained using [dpo4j](https://github.com/dpo4j/dpo4j), whose DPO follows "
                + "[TRL](https://github.com/huggingface/trl)'s `DPOTrainer`.\n\n";
    }

    private static String quickStart(Facts f) {
        return "## Quick start\n\n```python\nfrom transformers import pipeline\n\n"
                + "question = \"If you had a time machine, but could only go to the past or the future once and never "
                + "return, which would you choose and why?\"\n"
                + "generator = pipeline(\"text-generation\", model=\"" + f.hubModelId() + "\", device=\"cuda\")\n"
                + "output = generator([{\"role\": \"user\", \"content\": question}], max_new_tokens=128, "
                + "return_full_text=False)[0]\nprint(output[\"generated_text\"])\n```\n\n"
                + (f.adapter() ? "The repository holds a PEFT adapter (`adapter_config.json`, "
                        + "`adapter_model.safetensors`): loading it needs `peft` installed.\n\n" : "");
    }

    private static String procedure(Facts f) {
        DpoConfig c = f.config();
        StringBuilder s = new StringBuilder("## Training procedure\n\nThis model was trained with DPO, a method "
                + "introduced in [Direct Preference Optimization: Your Language Model is Secretly a Reward Model]"
                + "(https://huggingface.co/papers/2305.18290), ");
        s.append(f.adapter() ? "training LoRA adapters on the frozen base (" + lora(c.lora()) + ")"
                : "training every weight").append(", for ").append(f.steps()).append(" optimizer steps")
                .append(f.cancelled() ? " (stopped early)" : "").append(".\n\n| hyperparameter | value |\n|---|---|\n");
        row(s, "loss_type", c.loss().lossType());
        row(s, "beta", num(c.loss().options().beta()));
        row(s, "learning_rate", num(c.optimizer().learningRate()));
        row(s, "lr_scheduler_type", c.optimizer().lrSchedulerType().name().toLowerCase(Locale.ROOT));
        row(s, "warmup_steps", String.valueOf(c.optimizer().warmupSteps()));
        row(s, "num_train_epochs", String.valueOf(c.numTrainEpochs()));
        if (c.maxSteps() > 0) {
            row(s, "max_steps", String.valueOf(c.maxSteps()));
        }
        row(s, "per_device_train_batch_size", String.valueOf(c.batching().perDeviceTrainBatchSize()));
        row(s, "gradient_accumulation_steps", String.valueOf(c.batching().gradientAccumulationSteps()));
        row(s, "global batch (pairs per step)", String.valueOf(f.globalBatchSize()));
        row(s, "max_length", c.batching().maxLength() == 0 ? "none" : String.valueOf(c.batching().maxLength()));
        row(s, "weight_decay", num(c.optimizer().weightDecay()));
        row(s, "max_grad_norm", num(c.optimizer().maxGradNorm()));
        row(s, "seed", String.valueOf(c.seed()));
        return s.append('\n').toString();
    }

    private static String lora(LoraOptions l) {
        return "r " + l.loraR() + ", alpha " + l.loraAlpha() + (l.useRslora() ? " (rsLoRA)" : "") + ", on "
                + String.join(", ", l.loraTargetModules());
    }

    private static String results(Facts f) {
        if (f.train() == null && f.eval() == null) {
            return "";
        }
        Map<String, Double> train = f.train() == null ? Map.of() : f.train().toMap("");
        Map<String, Double> eval = f.eval() == null ? Map.of() : f.eval().toMap("");
        StringBuilder s = new StringBuilder("## Results\n\nThe last logged training interval")
                .append(f.train() == null ? "" : " (step " + f.train().step() + ")")
                .append(f.eval() == null ? "" : " and the last evaluation (step " + f.eval().step() + ")")
                .append(", as TRL names the metrics:\n\n| metric | train | eval |\n|---|---|---|\n");
        for (String name : SHOWN) {
            if (train.containsKey(name) || eval.containsKey(name)) {
                s.append("| ").append(name).append(" | ").append(cell(train.get(name))).append(" | ")
                        .append(cell(eval.get(name))).append(" |\n");
            }
        }
        return s.append('\n').toString();
    }

    private static String citation() {
        return "## Citations\n\nCite DPO as:\n\n```bibtex\n" + DPO_CITATION + "\n```\n";
    }

    private static void row(StringBuilder s, String name, String value) {
        s.append("| ").append(name).append(" | ").append(value).append(" |\n");
    }

    private static String cell(Double value) {
        return value == null ? "" : String.format(Locale.ROOT, "%.4f", value);
    }

    private static String num(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? String.valueOf((long) value)
                : String.valueOf(value);
    }

    /** A YAML scalar: as is when plain, else double-quoted with JSON escapes (YAML reads those the same). */
    static String yaml(String value) {
        return PLAIN.matcher(value).matches() && !value.startsWith("-") ? value
                : new com.google.gson.JsonPrimitive(value).toString();
    }
}
