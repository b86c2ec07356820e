package dev.dpo4j.core.data;

import dev.dpo4j.api.data.PreferenceExample;
import dev.dpo4j.api.template.PromptTemplate;
import dev.dpo4j.core.tokenizer.TextTokenizer;
import java.util.Arrays;
import java.util.Optional;

/**
 * Renders a preference example with the prompt template and tokenizes it as TRL does: prompt and completions
 * apart, BOS prepended to the prompt when the tokenizer has one (unless the template already wrote it), EOS
 * appended to each completion (unless the template already ended with it). Then applies the length limits:
 * {@code max_prompt_length} keeps the prompt's last tokens, {@code max_target_length} a completion's first
 * tokens, and {@code max_length} drops (never truncates) a pair whose prompt plus longer completion is longer.
 */
public final class PairEncoder {

    private final PromptTemplate template;
    private final TextTokenizer tokenizer;
    private final int maxLength;
    private final int maxPromptLength;
    private final int maxTargetLength;

    /**
     * Creates the encoder; a limit of 0 or less means none.
     *
     * @param maxLength prompt plus completion longer than this is dropped
     * @param maxPromptLength prompts longer than this are truncated from the left
     * @param maxTargetLength completions longer than this are truncated from the right
     */
    public PairEncoder(PromptTemplate template, TextTokenizer tokenizer, int maxLength, int maxPromptLength,
            int maxTargetLength) {
        this.template = template;
        this.tokenizer = tokenizer;
        this.maxLength = maxLength;
        this.maxPromptLength = maxPromptLength;
        this.maxTargetLength = maxTargetLength;
    }

    /** The tokenized pair, or empty when it is longer than {@code max_length}. */
    public Optional<TokenizedPair> encode(PreferenceExample example) {
        int[] prompt = withBos(tokenizer.encode(template.renderPrompt(example.prompt())));
        int[] chosen = withEos(tokenizer.encode(template.renderCompletion(example.prompt(), example.chosen())));
        int[] rejected = withEos(tokenizer.encode(template.renderCompletion(example.prompt(), example.rejected())));
        if (maxPromptLength > 0 && prompt.length > maxPromptLength) {
            prompt = Arrays.copyOfRange(prompt, prompt.length - maxPromptLength, prompt.length);
        }
        if (maxTargetLength > 0) {
            chosen = Arrays.copyOf(chosen, Math.min(chosen.length, maxTargetLength));
            rejected = Arrays.copyOf(rejected, Math.min(rejected.length, maxTargetLength));
        }
        TokenizedPair pair = new TokenizedPair(prompt, chosen, rejected);
        return maxLength > 0 && pair.length() > maxLength ? Optional.empty() : Optional.of(pair);
    }

    private int[] withBos(int[] ids) {
        if (tokenizer.bosId().isEmpty() || (ids.length > 0 && ids[0] == tokenizer.bosId().getAsInt())) {
            return ids;
        }
        int[] out = new int[ids.length + 1];
        out[0] = tokenizer.bosId().getAsInt();
        System.arraycopy(ids, 0, out, 1, ids.length);
        return out;
    }

    private int[] withEos(int[] ids) {
        if (ids.length > 0 && ids[ids.length - 1] == tokenizer.eosId()) {
            return ids;
        }
        int[] out = Arrays.copyOf(ids, ids.length + 1);
        out[ids.length] = tokenizer.eosId();
        return out;
    }
}
