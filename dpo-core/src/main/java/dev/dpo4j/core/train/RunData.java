package dev.dpo4j.core.train;

import dev.dpo4j.core.data.PairEncoder;
import dev.dpo4j.core.data.PreparedData;
import dev.dpo4j.core.tokenizer.TextTokenizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A run's pairs, rendered with the template and tokenized, those over {@code max_length} dropped and logged.
 *
 * @param train the training pairs (at least one)
 * @param eval the evaluation pairs; null without eval data, or when {@code max_length} dropped them all
 */
record RunData(PreparedData train, PreparedData eval) {

    private static final Logger LOG = LoggerFactory.getLogger(RunData.class);

    /**
     * Encodes the trainer's training and evaluation data.
     *
     * @throws IllegalArgumentException when no training pair is left, saying how many were dropped
     */
    static RunData prepare(DpoTrainer trainer, TextTokenizer tokenizer) {
        BatchOptions batching = trainer.config().batching();
        int maxLength = batching.maxLength();
        PairEncoder encoder = new PairEncoder(trainer.template(), tokenizer, maxLength, batching.maxPromptLength(),
                batching.maxTargetLength());
        PreparedData train = PreparedData.of(trainer.trainData(), encoder);
        if (train.pairs().isEmpty()) {
            throw new IllegalArgumentException("no training pairs left: " + train.dropped()
                    + " were dropped for being longer than max_length=" + maxLength
                    + (train.dropped() == 0 ? " (the training data is empty)" : ""));
        }
        if (train.dropped() > 0) {
            LOG.info("max_length={} dropped {} of {} training pairs", maxLength, train.dropped(),
                    train.dropped() + train.pairs().size());
        }
        PreparedData eval = trainer.evalData() == null ? null : PreparedData.of(trainer.evalData(), encoder);
        if (eval != null && eval.dropped() > 0) {
            if (eval.pairs().isEmpty()) {
                LOG.warn("max_length={} dropped all {} eval pairs: the run is not evaluated",
                        maxLength, eval.dropped());
            } else {
                LOG.info("max_length={} dropped {} of {} eval pairs", maxLength, eval.dropped(),
                        eval.dropped() + eval.pairs().size());
            }
        }
        return new RunData(train, eval == null || eval.pairs().isEmpty() ? null : eval);
    }
}
