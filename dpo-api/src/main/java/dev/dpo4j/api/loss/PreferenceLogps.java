package dev.dpo4j.api.loss;

import ai.djl.ndarray.NDArray;
import java.util.Objects;

/**
 * The per-pair inputs of a preference loss, each of shape {@code (pairs)}: summed completion log-probabilities
 * of the policy and of the reference model, and the completion lengths in tokens.
 *
 * @param policyChosen sum of log p(chosen token) under the policy, one per pair (carries gradients)
 * @param policyRejected same for the rejected completion
 * @param referenceChosen same under the frozen reference model, or null for reference-free training
 * @param referenceRejected same for the rejected completion, or null
 * @param chosenLengths number of chosen completion tokens, as float
 * @param rejectedLengths number of rejected completion tokens, as float
 */
public record PreferenceLogps(NDArray policyChosen, NDArray policyRejected, NDArray referenceChosen,
        NDArray referenceRejected, NDArray chosenLengths, NDArray rejectedLengths) {

    /** Checks presence of what every loss needs. */
    public PreferenceLogps {
        Objects.requireNonNull(policyChosen, "policyChosen");
        Objects.requireNonNull(policyRejected, "policyRejected");
        Objects.requireNonNull(chosenLengths, "chosenLengths");
        Objects.requireNonNull(rejectedLengths, "rejectedLengths");
        if ((referenceChosen == null) != (referenceRejected == null)) {
            throw new IllegalArgumentException("reference log-probs must be given for both completions or neither");
        }
    }

    /** Whether reference log-probs are present. */
    public boolean hasReference() {
        return referenceChosen != null;
    }

    /**
     * The policy's log-ratio {@code log pi(chosen) - log pi(rejected)} minus the reference's, i.e. the implicit
     * reward margin divided by beta. Without a reference the reference term is zero.
     */
    public NDArray logitsMargin() {
        NDArray policy = policyChosen.sub(policyRejected);
        return hasReference() ? policy.sub(referenceChosen.sub(referenceRejected)) : policy;
    }

    /** The same inputs with every log-probability divided by its completion length (length-normalized). */
    public PreferenceLogps lengthNormalized() {
        return new PreferenceLogps(policyChosen.div(chosenLengths), policyRejected.div(rejectedLengths),
                hasReference() ? referenceChosen.div(chosenLengths) : null,
                hasReference() ? referenceRejected.div(rejectedLengths) : null, chosenLengths, rejectedLengths);
    }
}
