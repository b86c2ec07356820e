package dev.dpo4j.core.train;

import dev.dpo4j.api.options.Option;
import dev.dpo4j.api.options.OptionRecords;
import dev.dpo4j.hub.HubClient;
import java.nio.file.Path;

/**
 * Whether and where the trained model is pushed to the Hugging Face Hub, named as transformers'
 * {@code TrainingArguments} ({@code push_to_hub}, {@code hub_model_id}, {@code hub_private_repo},
 * {@code hub_strategy}, {@code hub_token}). The token is never printed: {@link #toString()} hides it.
 */
public record PushOptions(
        @Option(doc = "Push the saved model (or LoRA adapter) with its tokenizer files, model card (README.md) and "
                + "metrics to the Hugging Face Hub, after it is saved. Needs a token with write access (HF_TOKEN, "
                + "hf auth login, or --hub_token).", value = "false")
        boolean pushToHub,
        @Option(doc = "The Hub model repository to push to: org/name, or name for the token's own account; created "
                + "when missing.", defaultDoc = "the output folder's name", label = "ID")
        String hubModelId,
        @Option(doc = "Create the repository private; an existing repository keeps its visibility.", value = "false")
        boolean hubPrivateRepo,
        @Option(doc = "When to push: end (once, after the final model is saved) or every_save (also each checkpoint's "
                + "model, in the background, skipped while an earlier push still runs).", value = "every_save",
                label = "WHEN")
        HubStrategy hubStrategy,
        @Option(doc = "The token to push with (never printed).", defaultDoc = "HF_TOKEN, else the token file of hf "
                + "auth login", label = "TOKEN")
        String hubToken) {

    /** transformers' defaults: no push. */
    public static final PushOptions DEFAULTS = OptionRecords.defaults(PushOptions.class);

    /** Checks the repository id's form and blanks; the error lists every problem, each naming its option. */
    public PushOptions {
        hubModelId = hubModelId == null || hubModelId.isBlank() ? null : hubModelId.strip();
        hubToken = hubToken == null || hubToken.isBlank() ? null : hubToken.strip();
        OptionRecords.check(PushOptions.class, pushToHub, hubModelId, hubPrivateRepo, hubStrategy, hubToken)
                .require(hubModelId == null || HubClient.isRepoId(hubModelId), "hub_model_id must be a Hub model "
                        + "id, org/name or name (letters, digits, '-', '_', '.'), got '" + hubModelId + "'")
                .require(hubStrategy != null, "hub_strategy is required: end or every_save")
                .throwIfAny();
    }

    /** The repository pushed to: {@code hub_model_id}, or the output folder's name (as transformers). */
    public String repoId(Path outputDir) {
        if (hubModelId != null) {
            return hubModelId;
        }
        Path name = outputDir.toAbsolutePath().normalize().getFileName();
        return name == null ? "" : name.toString();
    }

    /** Shows whether a token is set, never the token. */
    @Override
    public String toString() {
        return "PushOptions[pushToHub=" + pushToHub + ", hubModelId=" + hubModelId + ", hubPrivateRepo="
                + hubPrivateRepo + ", hubStrategy=" + hubStrategy + ", hubToken=" + (hubToken == null ? "none" : "set")
                + "]";
    }
}
