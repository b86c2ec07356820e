package dev.dpo4j.core.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * A collated batch of {@code pairs} preference pairs in one of two layouts, plus the completion tokens that are
 * scored: for each, the flat row of the hidden state that predicts it, its id, and which sequence it belongs to.
 * Sequence {@code i} is pair i's chosen completion and sequence {@code pairs + i} its rejected one in both layouts.
 *
 * <p>Unshared: {@code 2 * pairs} right-padded rows {@code [prompt; completion]}, chosen rows first. Shared
 * ({@code share_prompt}): one right-padded row {@code [prompt; chosen; rejected]} per pair, with {@code positionIds}
 * (the rejected completion restarts after the prompt) and {@code blocks} (which tokens may see which, see
 * {@link #PROMPT}), so each prompt runs once and both completions attend to it.
 *
 * @param pairs number of pairs
 * @param length padded row length
 * @param inputIds token ids, {@link #rows()} {@code * length}, row-major
 * @param scoredRows flat index {@code row * length + index} of the hidden state that predicts each scored token
 * @param targets the id of each scored completion token
 * @param sequenceOf the sequence (0 .. 2 * pairs - 1) of each scored token, chosen sequences first
 * @param completionLengths scored completion tokens of each sequence
 * @param policyTokens real tokens of the unshared layout (each prompt counted twice), so tokens/s compares
 * @param positionIds the rotary position of each token, as {@code inputIds}; null in the unshared layout
 * @param blocks the block ({@link #PROMPT}, {@link #CHOSEN}, {@link #REJECTED}, {@link #PADDING}) of each token, as
 *     {@code inputIds}; null in the unshared layout
 * @param logpWeights the weight of each scored token's log-prob in its sequence's sum (LD-DPO's
 *     {@link #lengthDesensitized}); null: 1 each
 */
public record PairBatch(int pairs, int length, long[] inputIds, long[] scoredRows, long[] targets, int[] sequenceOf,
        float[] completionLengths, long policyTokens, long[] positionIds, int[] blocks, float[] logpWeights) {

    /** The block of prompt tokens, which every later token of the row may attend to. */
    public static final int PROMPT = 0;
    /** The block of chosen tokens: they attend to the prompt and to earlier chosen tokens. */
    public static final int CHOSEN = 1;
    /** The block of rejected tokens: they attend to the prompt and to earlier rejected tokens, never to chosen ones. */
    public static final int REJECTED = 2;
    /** The block of padding: it attends to the prompt and to earlier padding, and is never scored. */
    public static final int PADDING = 3;

    /** An unshared batch: {@code 2 * pairs} rows, positions {@code 0..length-1}, the causal mask alone. */
    public PairBatch(int pairs, int length, long[] inputIds, long[] scoredRows, long[] targets, int[] sequenceOf,
            float[] completionLengths, long policyTokens) {
        this(pairs, length, inputIds, scoredRows, targets, sequenceOf, completionLengths, policyTokens, null, null);
    }

    /** A batch, shared when {@code positionIds} are given, every log-prob weighted 1. */
    public PairBatch(int pairs, int length, long[] inputIds, long[] scoredRows, long[] targets, int[] sequenceOf,
            float[] completionLengths, long policyTokens, long[] positionIds, int[] blocks) {
        this(pairs, length, inputIds, scoredRows, targets, sequenceOf, completionLengths, policyTokens, positionIds,
                blocks, null);
    }

    /**
     * This batch with LD-DPO's weights (Liu et al. 2024, as TRL's {@code ld_alpha}): in each pair, the completion
     * tokens up to the shorter completion's length count fully, each later ("verbose") token {@code alpha} times.
     */
    public PairBatch lengthDesensitized(double alpha) {
        int[] seen = new int[2 * pairs];
        float[] weights = new float[targets.length];
        for (int i = 0; i < targets.length; i++) {
            int sequence = sequenceOf[i];
            int pair = sequence % pairs;
            float shared = Math.min(completionLengths[pair], completionLengths[pairs + pair]);
            weights[i] = ++seen[sequence] <= shared ? 1f : (float) alpha;
        }
        return new PairBatch(pairs, length, inputIds, scoredRows, targets, sequenceOf, completionLengths,
                policyTokens, positionIds, blocks, weights);
    }

    /** Whether each pair's prompt is shared by its two completions in one row. */
    public boolean shared() {
        return positionIds != null;
    }

    /** Rows of {@code inputIds}: {@code pairs} when shared, else {@code 2 * pairs}. */
    public int rows() {
        return shared() ? pairs : 2 * pairs;
    }

    /** The batch's arrays on the device of {@code manager}. */
    public Arrays toArrays(NDManager manager) {
        int sequences = 2 * pairs;
        Shape shape = new Shape(rows(), length);
        Views views = shared() ? views() : null;
        NDArray segments = manager.create(segments(null), new Shape(sequences, targets.length));
        return new Arrays(manager.create(inputIds, shape), manager.create(scoredRows),
                manager.create(targets), segments,
                manager.create(completionLengths), shared() ? manager.create(positionIds, shape) : null,
                shared() ? manager.create(blocks, shape) : null,
                views == null ? null : manager.create(views.tokens(), new Shape(2L * pairs, views.length())),
                views == null ? null : manager.create(views.sources(), shape),
                shared() ? packedArrays(packed(), manager) : null,
                logpWeights == null ? segments
                        : manager.create(segments(logpWeights), new Shape(sequences, targets.length)));
    }

    /** The {@code (2 * pairs, tokens)} matrix that sums tokens per sequence, each weighted (null: 1), row-major. */
    private float[] segments(float[] weights) {
        float[] segments = new float[2 * pairs * targets.length];
        for (int i = 0; i < targets.length; i++) {
            segments[sequenceOf[i] * targets.length + i] = weights == null ? 1f : weights[i];
        }
        return segments;
    }

    private static PackedArrays packedArrays(Packed packed, NDManager manager) {
        int sequences = packed.queryStarts().length;
        int[] starts = java.util.Arrays.copyOf(packed.queryStarts(), 2 * sequences);
        System.arraycopy(packed.keyStarts(), 0, starts, sequences, sequences);
        return new PackedArrays(manager.create(packed.keyTokens()), manager.create(starts, new Shape(2, sequences)),
                manager.create(new int[0], new Shape(packed.longestQuery(), packed.longestKey(), 0)));
    }

    /**
     * The shared rows as views for causal attention: view {@code 2i} is row i's {@code [prompt; chosen]}, view
     * {@code 2i + 1} its {@code [prompt; rejected]}, each {@link Views#length()} tokens long (the longest prompt plus
     * completion), right-padded with the row's first token. Within a view, index is rotary position, so plain causal
     * (or sliding-window) attention over the views is the block mask's attention over the rows.
     */
    public Views views() {
        if (!shared()) {
            throw new IllegalStateException("an unshared batch has no views");
        }
        int[][] counts = blockCounts();
        int viewLength = viewLength(counts);
        long[] tokens = new long[2 * pairs * viewLength];
        long[] sources = new long[pairs * length];
        for (int row = 0; row < pairs; row++) {
            int prompt = counts[row][PROMPT];
            int chosen = counts[row][CHOSEN];
            int base = row * length;
            int chosenView = 2 * row * viewLength;
            int rejectedView = chosenView + viewLength;
            java.util.Arrays.fill(tokens, chosenView, chosenView + 2 * viewLength, base);
            java.util.Arrays.fill(sources, base, base + length, chosenView);
            for (int t = 0; t < prompt + chosen; t++) {
                tokens[chosenView + t] = base + t;
                sources[base + t] = chosenView + t;
            }
            for (int t = 0; t < prompt; t++) {
                tokens[rejectedView + t] = base + t;
            }
            for (int k = 0; k < counts[row][REJECTED]; k++) {
                tokens[rejectedView + prompt + k] = base + prompt + chosen + k;
                sources[base + prompt + chosen + k] = rejectedView + prompt + k;
            }
        }
        return new Views(viewLength, tokens, sources);
    }

    /** Tokens of {@link #views()}: {@code 2 * pairs} views of the longest prompt plus completion. */
    public long viewTokens() {
        return 2L * pairs * viewLength(blockCounts());
    }

    /** The longest prompt plus completion of rows with these {@link #blockCounts()}, at least 1. */
    private static int viewLength(int[][] counts) {
        int viewLength = 1;
        for (int[] c : counts) {
            viewLength = Math.max(viewLength, c[PROMPT] + Math.max(c[CHOSEN], c[REJECTED]));
        }
        return viewLength;
    }

    /** The tokens of each block ({@link #PROMPT} .. {@link #PADDING}) in each shared row. */
    private int[][] blockCounts() {
        int[][] counts = new int[pairs][];
        for (int row = 0; row < pairs; row++) {
            counts[row] = blockCounts(row);
        }
        return counts;
    }

    /** Tokens of each block ({@link #PROMPT} .. {@link #PADDING}) in shared row {@code row}. */
    private int[] blockCounts(int row) {
        int[] c = new int[4];
        for (int i = 0; i < length; i++) {
            c[blocks[row * length + i]]++;
        }
        return c;
    }

    /**
     * The shared rows as packed variable-length sequences for flash attention's varlen kernel, which aligns a causal
     * mask to the end of each sequence's keys: queries are the flat row tokens as they stand, cut into sequences at
     * every block, and each sequence's keys are gathered by {@link Packed#keyTokens()}. Per row: the prompt with the
     * chosen completion attends to itself, the rejected completion to the prompt and itself, the padding to itself.
     * No query is copied and no output is scattered back, and each prompt token is attended once.
     */
    public Packed packed() {
        if (!shared()) {
            throw new IllegalStateException("an unshared batch has no packed sequences");
        }
        long[] keys = new long[Math.toIntExact(2L * pairs * length)];
        int[] queryStarts = new int[3 * pairs + 1];
        int[] keyStarts = new int[3 * pairs + 1];
        int sequences = 0;
        int keyCount = 0;
        int longestQuery = 0;
        int longestKey = 0;
        for (int row = 0; row < pairs; row++) {
            int[] c = blockCounts(row);
            int base = row * length;
            int prompt = c[PROMPT];
            int withChosen = prompt + c[CHOSEN];
            int[][] runs = { // each sequence: its query range in the row, then its key ranges
                {0, withChosen, 0, withChosen},
                {withChosen, withChosen + c[REJECTED], 0, prompt, withChosen, withChosen + c[REJECTED]},
                {withChosen + c[REJECTED], length, withChosen + c[REJECTED], length}};
            for (int[] run : runs) {
                int queries = run[1] - run[0];
                if (queries == 0) {
                    continue;
                }
                int keysBefore = keyCount;
                for (int r = 2; r < run.length; r += 2) {
                    for (int t = run[r]; t < run[r + 1]; t++) {
                        keys[keyCount++] = base + t;
                    }
                }
                sequences++;
                queryStarts[sequences] = base + run[1];
                keyStarts[sequences] = keyCount;
                longestQuery = Math.max(longestQuery, queries);
                longestKey = Math.max(longestKey, keyCount - keysBefore);
            }
        }
        return new Packed(java.util.Arrays.copyOf(keys, keyCount), java.util.Arrays.copyOf(queryStarts, sequences + 1),
                java.util.Arrays.copyOf(keyStarts, sequences + 1), longestQuery, longestKey);
    }

    /**
     * Shared rows as packed sequences ({@link #packed()}).
     *
     * @param keyTokens the flat row token of each packed key, sequence after sequence
     * @param queryStarts where each sequence's queries start among the flat row tokens, then their count
     * @param keyStarts where each sequence's keys start among {@code keyTokens}, then their count
     * @param longestQuery the most queries of one sequence
     * @param longestKey the most keys of one sequence
     */
    public record Packed(long[] keyTokens, int[] queryStarts, int[] keyStarts, int longestQuery, int longestKey) {
    }

    /**
     * Shared rows as views.
     *
     * @param length tokens per view
     * @param tokens {@code (2 * pairs, length)} the flat row token at each view index
     * @param sources {@code (pairs, row length)} the flat view index whose attention output each row token takes
     *     (padding tokens take any)
     */
    public record Views(int length, long[] tokens, long[] sources) {
    }

    /**
     * {@link Packed} on a device.
     *
     * @param keyTokens {@code (keys)} int64 {@link Packed#keyTokens()}
     * @param starts {@code (2, sequences + 1)} int32: {@link Packed#queryStarts()}, then {@link Packed#keyStarts()}
     * @param longest an array of no elements whose shape, {@code (longest query, longest key, 0)}, carries the two
     *     numbers flash attention takes, so no kernel reads them back from the device
     */
    public record PackedArrays(NDArray keyTokens, NDArray starts, NDArray longest) {
    }

    /**
     * The batch on a device.
     *
     * @param inputIds {@code (rows, length)} int64 ids
     * @param scoredRows {@code (tokens)} int64 flat hidden-state rows
     * @param targets {@code (tokens)} int64 target ids
     * @param segments {@code (2 * pairs, tokens)} float32 one-hot sequence membership, to sum per sequence
     * @param completionLengths {@code (2 * pairs)} float32 completion lengths
     * @param positionIds {@code (rows, length)} int64 rotary positions; null in the unshared layout
     * @param blocks {@code (rows, length)} int32 block of each token; null in the unshared layout
     * @param viewTokens {@code (2 * pairs, view length)} int64 {@link Views#tokens()}; null in the unshared layout
     * @param tokenSources {@code (rows, length)} int64 {@link Views#sources()}; null in the unshared layout
     * @param packed the rows as packed sequences ({@link PairBatch#packed()}); null in the unshared layout
     * @param logpSegments {@code segments} with each token weighted as {@link PairBatch#logpWeights()} (the same
     *     array when those are all 1): what sums the log-probs per sequence
     */
    public record Arrays(NDArray inputIds, NDArray scoredRows, NDArray targets, NDArray segments,
            NDArray completionLengths, NDArray positionIds, NDArray blocks, NDArray viewTokens,
            NDArray tokenSources, PackedArrays packed, NDArray logpSegments) {

        /** A batch whose log-probs are summed unweighted. */
        public Arrays(NDArray inputIds, NDArray scoredRows, NDArray targets, NDArray segments,
                NDArray completionLengths, NDArray positionIds, NDArray blocks, NDArray viewTokens,
                NDArray tokenSources, PackedArrays packed) {
            this(inputIds, scoredRows, targets, segments, completionLengths, positionIds, blocks, viewTokens,
                    tokenSources, packed, segments);
        }

        /** A batch without packed sequences. */
        public Arrays(NDArray inputIds, NDArray scoredRows, NDArray targets, NDArray segments,
                NDArray completionLengths, NDArray positionIds, NDArray blocks, NDArray viewTokens,
                NDArray tokenSources) {
            this(inputIds, scoredRows, targets, segments, completionLengths, positionIds, blocks, viewTokens,
                    tokenSources, null);
        }

        /** Whether the rows share each pair's prompt ({@link PairBatch#shared()}). */
        public boolean shared() {
            return positionIds != null;
        }
    }
}
