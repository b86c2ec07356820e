package dev.dpo4j.core.memory;

/** The form the reference model takes on each device, for a {@link MemoryEstimate}. */
public enum ReferenceModel {

    /** A frozen copy of the weights in the compute type on every device. */
    COPY,
    /** The LoRA base with the adapters switched off: no weights of its own. */
    ADAPTERS_OFF,
    /** Log-probs computed once before training ({@code precompute_ref_log_probs}): a table of a few bytes a pair. */
    PRECOMPUTED,
    /** The loss needs no reference. */
    NONE;

    /** The reference once LoRA is on: a copy becomes the base with the adapters off. */
    public ReferenceModel withPeft() {
        return this == COPY ? ADAPTERS_OFF : this;
    }
}
