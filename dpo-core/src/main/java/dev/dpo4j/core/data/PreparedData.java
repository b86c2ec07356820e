package dev.dpo4j.core.data;

import dev.dpo4j.api.data.PreferenceExample;
import java.util.ArrayList;
import java.util.List;

/**
 * A dataset tokenized once: the pairs kept and how many {@code max_length} dropped.
 *
 * @param pairs pairs within the length limit, in dataset order
 * @param dropped pairs dropped for being longer than {@code max_length}
 */
public record PreparedData(List<TokenizedPair> pairs, long dropped) {

    /** Streams the examples through the encoder; holds only token ids, never the text. */
    public static PreparedData of(Iterable<PreferenceExample> examples, PairEncoder encoder) {
        List<TokenizedPair> kept = new ArrayList<>();
        long dropped = 0;
        for (PreferenceExample example : examples) {
            var pair = encoder.encode(example);
            if (pair.isPresent()) {
                kept.add(pair.get());
            } else {
                dropped++;
            }
        }
        return new PreparedData(List.copyOf(kept), dropped);
    }

    /** Each pair's length (prompt plus longer completion), for length-grouped batching. */
    public int[] lengths() {
        return pairs.stream().mapToInt(TokenizedPair::length).toArray();
    }

    /** The pairs at the given indices. */
    public List<TokenizedPair> select(int[] indices) {
        List<TokenizedPair> selected = new ArrayList<>(indices.length);
        for (int index : indices) {
            selected.add(pairs.get(index));
        }
        return selected;
    }
}
