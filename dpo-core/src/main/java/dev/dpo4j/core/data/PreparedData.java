package dev.dpo4j.core.data;

import dev.dpo4j.api.data.DataFormatException;
import dev.dpo4j.api.data.PreferenceExample;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A dataset tokenized once: the pairs kept and how many {@code max_length} dropped.
 *
 * @param pairs pairs within the length limit, in dataset order
 * @param dropped pairs dropped for being longer than {@code max_length}
 */
public record PreparedData(List<TokenizedPair> pairs, long dropped) {

    /**
     * Streams the examples through the encoder; holds only token ids, never the text. Pairs that cannot fit
     * {@code max_length} are dropped (counted in {@code dropped}) before they are tokenized.
     *
     * @throws DataFormatException naming the example (its 0-based index among the examples) and field when the
     *     encoder refuses a text
     */
    public static PreparedData of(Iterable<PreferenceExample> examples, PairEncoder encoder) {
        List<TokenizedPair> kept = new ArrayList<>();
        long dropped = 0;
        long index = 0;
        for (PreferenceExample example : examples) {
            Optional<TokenizedPair> pair;
            try {
                pair = encoder.encode(example);
            } catch (DataFormatException e) {
                if (e.row() >= 0) {
                    throw e;
                }
                throw new DataFormatException("preference examples", index, e.field(), e.problem(), e);
            }
            index++;
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
