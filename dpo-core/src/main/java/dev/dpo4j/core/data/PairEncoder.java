package dev.dpo4j.core.data;

import dev.dpo4j.api.data.DataFormatException;
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
 *
 * <p>Text is bounded before it reaches the tokenizer, so one huge row costs neither gigabytes nor minutes: no token
 * of a causal LM's tokenizer stands for more than {@link #MAX_CHARS_PER_TOKEN} characters, so a rendered text of
 * more than {@code n * MAX_CHARS_PER_TOKEN} characters has more than {@code n} tokens. A pair that therefore cannot
 * fit {@code max_length} is dropped (and counted) without being tokenized; a prompt or completion that
 * {@code max_prompt_length} or {@code max_target_length} will truncate is cut to twice the characters its kept
 * tokens can span before tokenizing (the kept tokens are the same unless a single word spans the cut); and with
 * no limit at all ({@code max_length} 0) a text over {@link #MAX_UNBOUNDED_CHARS} characters is refused with a
 * {@link DataFormatException}.
 */
public final class PairEncoder {

    /** The most characters one token stands for, in any tokenizer this bound is meant for (generous: real tokens
     * are under 128 bytes of UTF-8, and a Java char is never more than one byte of UTF-8 less). */
    public static final int MAX_CHARS_PER_TOKEN = 256;

    /** The most characters a rendered prompt or completion may have when no length limit bounds it (2^20). */
    public static final int MAX_UNBOUNDED_CHARS = 1 << 20;

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

    /**
     * The tokenized pair, or empty when it is longer than {@code max_length}.
     *
     * @throws DataFormatException (source "preference example", row -1, the field) when {@code max_length} is 0
     *     and a rendered text is longer than {@link #MAX_UNBOUNDED_CHARS}; {@link PreparedData} names the row
     */
    public Optional<TokenizedPair> encode(PreferenceExample example) {
        String promptText = template.renderPrompt(example.prompt());
        String chosenText = template.renderCompletion(example.prompt(), example.chosenMessages());
        String rejectedText = template.renderCompletion(example.prompt(), example.rejectedMessages());
        if (maxPromptLength > 0) {
            promptText = keepLast(promptText, charsFor(maxPromptLength));
        }
        if (maxTargetLength > 0) {
            chosenText = keepFirst(chosenText, charsFor(maxTargetLength));
            rejectedText = keepFirst(rejectedText, charsFor(maxTargetLength));
        }
        if (maxLength > 0) {
            long fewestTokens = fewestTokens(promptText, maxPromptLength)
                    + Math.max(fewestTokens(chosenText, maxTargetLength), fewestTokens(rejectedText, maxTargetLength));
            if (fewestTokens > maxLength) {
                return Optional.empty();
            }
        } else {
            requireBounded("prompt", promptText, maxPromptLength);
            requireBounded("chosen", chosenText, maxTargetLength);
            requireBounded("rejected", rejectedText, maxTargetLength);
        }
        int[] prompt = withBos(tokenizer.encode(promptText));
        int[] chosen = withEos(tokenizer.encode(chosenText));
        int[] rejected = withEos(tokenizer.encode(rejectedText));
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

    /** Characters kept of a text that will be truncated to {@code tokens}: twice what they can span. */
    private static long charsFor(int tokens) {
        return 2L * tokens * MAX_CHARS_PER_TOKEN;
    }

    /** A lower bound on the tokens of {@code text} after truncation to {@code limit} tokens (0: none). */
    private static long fewestTokens(String text, int limit) {
        long fewest = text.length() / MAX_CHARS_PER_TOKEN;
        return limit > 0 ? Math.min(fewest, limit) : fewest;
    }

    private static void requireBounded(String field, String text, int truncation) {
        if (truncation <= 0 && text.length() > MAX_UNBOUNDED_CHARS) {
            throw new DataFormatException("preference example", -1, field, "the rendered text has "
                    + text.length() + " characters, more than the " + MAX_UNBOUNDED_CHARS
                    + " allowed without a length limit (max_length is 0); set max_length to drop such pairs");
        }
    }

    private static String keepLast(String text, long chars) {
        if (text.length() <= chars) {
            return text;
        }
        int start = text.length() - (int) chars;
        if (Character.isLowSurrogate(text.charAt(start))) {
            start++;
        }
        return text.substring(start);
    }

    private static String keepFirst(String text, long chars) {
        if (text.length() <= chars) {
            return text;
        }
        int end = (int) chars;
        if (Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end);
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
