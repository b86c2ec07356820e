package dev.dpo4j.core.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import dev.dpo4j.api.loss.LossFunction;
import dev.dpo4j.api.loss.LossOutput;
import dev.dpo4j.api.loss.PreferenceLogps;
import dev.dpo4j.api.loss.Scalars;
import java.util.Locale;

/**
 * The built-in preference losses, as TRL's {@code DPOTrainer} defines them. With {@code h} the log-ratio margin
 * {@code (log pi(y_w) - log pi(y_l)) - (log ref(y_w) - log ref(y_l))} and {@code s} the sigmoid:
 * <ul>
 *   <li>{@code sigmoid} (DPO, Rafailov et al. 2023, arXiv:2305.18290): {@code -log s(beta h)}; with label
 *       smoothing {@code e} it is conservative DPO: {@code -(1-e) log s(beta h) - e log s(-beta h)}.</li>
 *   <li>{@code robust} (Chowdhury et al. 2024, arXiv:2403.00409):
 *       {@code (-(1-e) log s(beta h) + e log s(-beta h)) / (1 - 2e)}.</li>
 *   <li>{@code hinge} (SLiC, Zhao et al. 2023, arXiv:2305.10425): {@code max(0, 1 - beta h)}.</li>
 *   <li>{@code ipo} (Azar et al. 2023, arXiv:2310.12036): {@code (h - 1/(2 beta))^2}, on length-averaged
 *       log-probs as TRL computes it.</li>
 *   <li>{@code simpo} (Meng et al. 2024, arXiv:2405.14734), reference-free:
 *       {@code -log s(beta (avg log pi(y_w) - avg log pi(y_l)) - gamma)}, averages over completion tokens.</li>
 * </ul>
 * Rewards are {@code beta * (log pi - log ref)} per completion (without a reference, {@code beta * log pi}),
 * computed from the same (possibly length-averaged) log-probs as the loss.
 */
public final class Losses {

    private Losses() {
    }

    /** The original DPO loss. */
    public static LossFunction sigmoid(double beta) {
        return new PreferenceLoss(Kind.SIGMOID, beta, 0, 0);
    }

    /** Conservative DPO: the sigmoid loss with label smoothing {@code e} in [0, 0.5). */
    public static LossFunction sigmoid(double beta, double labelSmoothing) {
        return new PreferenceLoss(Kind.SIGMOID, beta, labelSmoothing, 0);
    }

    /** Robust DPO, unbiased under label noise {@code e} in [0, 0.5). */
    public static LossFunction robust(double beta, double labelSmoothing) {
        return new PreferenceLoss(Kind.ROBUST, beta, labelSmoothing, 0);
    }

    /** The hinge (SLiC) loss. */
    public static LossFunction hinge(double beta) {
        return new PreferenceLoss(Kind.HINGE, beta, 0, 0);
    }

    /** Identity preference optimization; {@code beta} is IPO's regularization tau. */
    public static LossFunction ipo(double beta) {
        return new PreferenceLoss(Kind.IPO, beta, 0, 0);
    }

    /** SimPO: reference-free, length-normalized, with target reward margin {@code gamma}. */
    public static LossFunction simpo(double beta, double gamma) {
        return new PreferenceLoss(Kind.SIMPO, beta, 0, gamma);
    }

    /**
     * A built-in loss by name ({@code sigmoid}, {@code robust}, {@code hinge}, {@code ipo}, {@code simpo}).
     *
     * @throws IllegalArgumentException naming the built-ins when the name is unknown
     */
    public static LossFunction byName(String name, double beta, double labelSmoothing, double gamma) {
        Kind kind;
        try {
            kind = Kind.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown loss_type '" + name
                    + "'; built in: sigmoid, robust, hinge, ipo, simpo", e);
        }
        return new PreferenceLoss(kind, beta, labelSmoothing, gamma);
    }

    /** The loss variants. */
    enum Kind {
        SIGMOID, ROBUST, HINGE, IPO, SIMPO
    }

    /** Every variant in one function, as in the DPO paper's reference code. */
    record PreferenceLoss(Kind kind, double beta, double labelSmoothing, double gamma) implements LossFunction {

        PreferenceLoss {
            if (!(beta > 0)) {
                throw new IllegalArgumentException("beta must be positive, got " + beta);
            }
            if (labelSmoothing < 0 || labelSmoothing >= 0.5) {
                throw new IllegalArgumentException("label_smoothing must be in [0, 0.5), got " + labelSmoothing);
            }
        }

        @Override
        public LossOutput compute(PreferenceLogps input) {
            boolean averaged = kind == Kind.IPO || kind == Kind.SIMPO;
            PreferenceLogps logps = averaged ? input.lengthNormalized() : input;
            if (kind != Kind.SIMPO && !logps.hasReference()) {
                throw new IllegalArgumentException(kind + " loss needs reference log-probs");
            }
            NDArray margin = kind == Kind.SIMPO ? logps.policyChosen().sub(logps.policyRejected())
                    : logps.logitsMargin();
            NDArray losses;
            switch (kind) {
                case SIGMOID:
                    losses = smoothedLogistic(times(margin, beta));
                    break;
                case ROBUST:
                    NDArray scaled = times(margin, beta);
                    losses = times(times(logSigmoid(scaled), -(1 - labelSmoothing))
                            .add(times(logSigmoid(scaled.neg()), labelSmoothing)), 1 / (1 - 2 * labelSmoothing));
                    break;
                case HINGE:
                    losses = plus(times(margin, -beta), 1).maximum(Scalars.of(margin, 0));
                    break;
                case IPO:
                    losses = plus(margin, -1 / (2 * beta)).square();
                    break;
                default:
                    losses = smoothedLogistic(plus(times(margin, beta), -gamma));
            }
            return new LossOutput(losses, reward(logps.policyChosen(), logps.referenceChosen()),
                    reward(logps.policyRejected(), logps.referenceRejected()));
        }

        private NDArray smoothedLogistic(NDArray x) {
            NDArray loss = logSigmoid(x).neg();
            return labelSmoothing == 0 ? loss
                    : times(loss, 1 - labelSmoothing).sub(times(logSigmoid(x.neg()), labelSmoothing));
        }

        private NDArray reward(NDArray policy, NDArray reference) {
            NDArray ratio = reference == null || kind == Kind.SIMPO ? policy : policy.sub(reference);
            return times(ratio.stopGradient(), beta);
        }

        @Override
        public boolean needsReference() {
            return kind != Kind.SIMPO;
        }

        @Override
        public String name() {
            return kind.name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * {@code log(sigmoid(x))} computed stably as {@code min(x, 0) - log1p(exp(-|x|))}; DJL has no {@code log1p}, so
     * for {@code t = exp(-|x|) < 1e-4} it uses {@code t - t^2/2}, which keeps tiny losses from rounding to 0.
     */
    static NDArray logSigmoid(NDArray x) {
        NDArray t = x.abs().neg().exp();
        NDArray log1p = NDArrays.where(t.lt(1e-4), t.sub(times(t.square(), 0.5)), plus(t, 1).log());
        return x.minimum(Scalars.of(x, 0)).sub(log1p);
    }

    /** {@code x * value}, with the scalar kept alive for backward ({@link Scalars}). */
    private static NDArray times(NDArray x, double value) {
        return x.mul(Scalars.of(x, value));
    }

    /** {@code x + value}, with the scalar kept alive for backward ({@link Scalars}). */
    private static NDArray plus(NDArray x, double value) {
        return x.add(Scalars.of(x, value));
    }
}
