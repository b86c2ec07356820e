package dev.dpo4j.core.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.Map;

/**
 * What a training checkpoint saves of an optimizer and restores into it: its moments and its step count. An
 * optimizer whose state is split across ranks ({@link Shard}) saves its part; a checkpoint written by any number of
 * ranks restores into any other.
 */
public interface OptimizerState {

    /**
     * What this rank saves: whole, the moments as {@code exp_avg.NAME} and {@code exp_avg_sq.NAME} arrays, as
     * PyTorch's AdamW names them; sharded, this shard's part of each flat moment as {@code exp_avg.GROUP} and
     * {@code exp_avg_sq.GROUP} ({@link #wholeLengths()}).
     */
    Map<String, NDArray> state();

    /** Updates applied so far. */
    long steps();

    /** The part of the state this optimizer holds. */
    Shard shard();

    /**
     * Copies per-parameter moments (exactly {@link #momentShapes()}'s keys, each in its shape), as a whole optimizer's
     * {@link #state()} names them, into this optimizer's part, and sets the step count.
     *
     * @throws IllegalArgumentException naming a key missing, unexpected or of another shape, before anything is
     *     copied
     */
    void restore(Map<String, NDArray> saved, long stepCount);

    /** Every per-parameter moment's shape, by its {@code exp_avg.NAME} or {@code exp_avg_sq.NAME} key. */
    Map<String, Shape> momentShapes();

    /** Each flat moment of a sharded state by its {@code exp_avg.GROUP} key: its length without padding. */
    Map<String, Long> wholeLengths();

    /**
     * Copies {@code values}, elements {@code offset ..} of the whole flat moment {@code key} (one rank's saved part),
     * into this optimizer's part where they overlap, and sets the step count.
     *
     * @throws IllegalArgumentException when {@code key} is none of {@link #wholeLengths()}'s or the values lie
     *     beyond its length
     */
    void restorePart(String key, long offset, NDArray values, long stepCount);
}
