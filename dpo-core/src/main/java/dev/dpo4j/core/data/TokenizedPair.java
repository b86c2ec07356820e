package dev.dpo4j.core.data;

/**
 * A preference pair as token ids: the rendered prompt (with BOS when the tokenizer uses one) and the two rendered
 * completions (each ending with its end-of-turn marker and EOS).
 *
 * @param prompt prompt ids
 * @param chosen chosen completion ids
 * @param rejected rejected completion ids
 */
public record TokenizedPair(int[] prompt, int[] chosen, int[] rejected) {

    /** Tokens of prompt plus the longer completion: what {@code max_length} limits. */
    public int length() {
        return prompt.length + Math.max(chosen.length, rejected.length);
    }
}
