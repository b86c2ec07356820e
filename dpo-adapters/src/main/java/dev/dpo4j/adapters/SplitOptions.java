package dev.dpo4j.adapters;

/**
 * How to get an eval set when the dataset has no eval split of its own: the fraction of rows held out and the seed
 * of the row hash that decides it.
 *
 * @param evalFraction fraction of rows held out for evaluation, in [0, 1)
 * @param seed mixed with file name and row index to decide membership
 */
public record SplitOptions(double evalFraction, long seed) {

    /** Checks the fraction. */
    public SplitOptions {
        if (!(evalFraction >= 0 && evalFraction < 1)) {
            throw new IllegalArgumentException("evalFraction must be in [0, 1), got " + evalFraction);
        }
    }

    /** 5 % eval, seed 42. */
    public static SplitOptions defaults() {
        return new SplitOptions(0.05, 42);
    }

    /**
     * Whether the row at this index of the named file belongs to the eval set: a SplitMix64 hash of (seed, file name,
     * index) mapped to [0, 1) and compared with the fraction. It depends on nothing else, so it is the same in every
     * pass, in any read order, and rows never move between splits as the dataset grows.
     */
    public boolean isEval(String fileName, long index) {
        long z = seed ^ (0x9E3779B97F4A7C15L * (fileName.hashCode() + 0x632BE59BD9B4E019L)) ^ (index * 0xD1B54A32D192ED03L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        return (z >>> 11) * 0x1.0p-53 < evalFraction;
    }
}
