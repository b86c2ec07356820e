package dev.dpo4j.adapters;

import dev.dpo4j.adapters.datasets.NectarAdapter;
import java.util.Objects;

/**
 * How a dataset is loaded: strict (fail at the first bad row, the default) or lenient (skip bad rows and report
 * them), whether examples are checked (non-empty, chosen differs from rejected), and how many skip messages are kept.
 *
 * @param lenient skip bad rows instead of failing
 * @param validate reject examples with an empty chosen or rejected completion, or identical completions
 * @param maxMessages how many skip messages the {@link SkipReport} keeps
 * @param nectarPairing how the {@code nectar} adapter pairs ranked answers, when
 *     {@link dev.dpo4j.adapters.datasets.DatasetAdapters#byName(String, LoadOptions)} builds it
 * @param seed the seed of random choices made while loading (the {@code nectar} adapter's {@code best_vs_random}
 *     draw): a run's {@code --seed}
 */
public record LoadOptions(boolean lenient, boolean validate, int maxMessages,
        NectarAdapter.PairStrategy nectarPairing, long seed) {

    /** Checks the values. */
    public LoadOptions {
        Objects.requireNonNull(nectarPairing, "nectarPairing");
        if (maxMessages < 0) {
            throw new IllegalArgumentException("maxMessages must be >= 0, got " + maxMessages);
        }
    }

    /** The options with Nectar's default pairing ({@code best_vs_random}) and seed. */
    public LoadOptions(boolean lenient, boolean validate, int maxMessages) {
        this(lenient, validate, maxMessages, NectarAdapter.PairStrategy.RANDOM_LOWER);
    }

    /** The options with the default seed ({@link NectarAdapter#DEFAULT_SEED}, 42, TRL's default seed). */
    public LoadOptions(boolean lenient, boolean validate, int maxMessages, NectarAdapter.PairStrategy nectarPairing) {
        this(lenient, validate, maxMessages, nectarPairing, NectarAdapter.DEFAULT_SEED);
    }

    /** Strict, validating, keeping 5 messages. */
    public static LoadOptions defaults() {
        return builder().build();
    }

    /** Lenient, validating, keeping 5 messages. */
    public static LoadOptions lenientDefaults() {
        return builder().lenient(true).build();
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link LoadOptions}; {@link #build()} checks the values. */
    public static final class Builder {
        private boolean lenient;
        private boolean validate = true;
        private int maxMessages = 5;
        private NectarAdapter.PairStrategy nectarPairing = NectarAdapter.PairStrategy.RANDOM_LOWER;
        private long seed = NectarAdapter.DEFAULT_SEED;

        private Builder() {
        }

        /** Skip bad rows (and report them) instead of failing. */
        public Builder lenient(boolean lenient) {
            this.lenient = lenient;
            return this;
        }

        /** Check that completions are non-empty and differ (default true). */
        public Builder validate(boolean validate) {
            this.validate = validate;
            return this;
        }

        /** How many skip messages to keep (default 5). */
        public Builder maxMessages(int maxMessages) {
            this.maxMessages = maxMessages;
            return this;
        }

        /** How the {@code nectar} adapter pairs ranked answers (default {@code best_vs_random}). */
        public Builder nectarPairing(NectarAdapter.PairStrategy nectarPairing) {
            this.nectarPairing = Objects.requireNonNull(nectarPairing, "nectarPairing");
            return this;
        }

        /** The seed of random choices made while loading (default 42); a run passes its {@code --seed}. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * The options.
         *
         * @throws IllegalArgumentException when maxMessages is negative
         */
        public LoadOptions build() {
            if (maxMessages < 0) {
                throw new IllegalArgumentException("maxMessages must be >= 0, got " + maxMessages);
            }
            return new LoadOptions(lenient, validate, maxMessages, nectarPairing, seed);
        }
    }
}
