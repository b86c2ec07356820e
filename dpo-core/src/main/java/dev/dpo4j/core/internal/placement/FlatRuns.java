package dev.dpo4j.core.internal.placement;

import dev.dpo4j.core.optim.AdamW;

/**
 * Cuts the optimizer's flat buffers into runs of whole tensors for transfers between devices: each run is closed
 * once it reaches a number of elements (a larger tensor is a run of its own), so a transfer's temporaries stay
 * bounded while the number of transfers stays small.
 */
public final class FlatRuns {

    /** Elements moved per transfer: 64 Mi, so the transfer's temporaries stay near half a GiB. */
    public static final long RUN_ELEMENTS = 1L << 26;

    private FlatRuns() {
    }

    /** Hands each run of {@code group}'s members, about {@code runElements} long, to {@code action}. */
    public static void forEach(AdamW.FlatGroup group, long runElements, Action action) {
        int from = 0;
        long offset = 0;
        long length = 0;
        for (int m = 0; m < group.names().size(); m++) {
            length += group.sizes().get(m);
            if (length >= runElements || m == group.names().size() - 1) {
                action.run(from, m + 1, offset, length);
                from = m + 1;
                offset += length;
                length = 0;
            }
        }
    }

    /** What to do with one run of a flat group. */
    @FunctionalInterface
    public interface Action {
        /** Members {@code from} (inclusive) to {@code to} (exclusive), elements {@code offset .. offset+length}. */
        void run(int from, int to, long offset, long length);
    }
}
