package dev.dpo4j.core.loss;

import static dev.dpo4j.api.loss.LossMath.relu;
import static dev.dpo4j.api.loss.LossMath.rewards;
import static dev.dpo4j.api.loss.LossMath.scale;
import static dev.dpo4j.api.loss.LossMath.shift;

import ai.djl.ndarray.NDArray;
import dev.dpo4j.api.NamedChoices;
import dev.dpo4j.api.loss.LossFunction;
import dev.dpo4j.api.loss.LossMath;
import dev.dpo4j.api.loss.LossOutput;
import dev.dpo4j.api.loss.PreferenceLogps;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The built-in preference losses, as TRL's {@code DPOTrainer} defines them. With {@code h} the log-ratio margin
 * {@code (log pi(y_w) - log pi(y_l)) - (log ref(y_w) - log ref(y_l))} and {@code s} the sigmoid:
 * Further {@code c = log pi(y_w) - log ref(y_w)} and {@code r = log pi(y_l) - log ref(y_l)}, so {@code h = c - r}:
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
 *   <li>{@code sigmoid_norm}: {@code -log s(beta h)} on length-averaged log-probs.</li>
 *   <li>{@code exo_pair} (EXO, Ji et al. 2024, arXiv:2402.00856, eq. 16), with {@code e} the label smoothing (above
 *       0): {@code s(beta h) (log s(beta h) - log(1-e)) + s(-beta h) (log s(-beta h) - log e)}.</li>
 *   <li>{@code nca_pair} (NCA, Chen et al. 2024, arXiv:2402.05369):
 *       {@code -log s(beta c) - log s(-beta c)/2 - log s(-beta r)/2}.</li>
 *   <li>{@code bco_pair} (BCO, Jung et al. 2024, arXiv:2404.04656, paired):
 *       {@code -log s(beta c) - log s(-beta r)}.</li>
 *   <li>{@code sppo_hard} (SPPO, Wu et al. 2024, arXiv:2405.00675, hard labels):
 *       {@code (c - 1/(2 beta))^2 + (r + 1/(2 beta))^2}.</li>
 *   <li>{@code aot} (AOT, Melnyk et al. 2024, arXiv:2406.05882): the sigmoid loss (with label smoothing) on
 *       {@code sort(log pi(y_w) - log pi(y_l)) - sort(log ref(y_w) - log ref(y_l))}, sorted over the
 *       micro-batch; {@code aot_unpaired} on {@code sort(c) - sort(r)}.</li>
 *   <li>{@code apo_zero} and {@code apo_down} (APO, D'Oosterlinck et al. 2024, arXiv:2408.06266, eqs. 7 and 8):
 *       {@code 1 - s(beta c) + s(beta r)} and {@code s(beta c) + 1 - s(beta h)}.</li>
 *   <li>{@code discopop} (DiscoPOP, Chris Lu et al. 2024, arXiv:2406.08414, eq. 5), with {@code x = beta h} and
 *       temperature {@code tau}: {@code -log s(x) (1 - s(x/tau)) + exp(-x) s(x/tau)}.</li>
 *   <li>{@code sft}, reference-free: the policy's negative log-likelihood of the chosen completions, per token over
 *       the micro-batch ({@code -sum log pi(y_w) / sum |y_w|}), the same for every pair. Combined with a preference
 *       loss it is RPO (Pang et al. 2024, arXiv:2404.19733), TRL's {@code rpo_alpha}.</li>
 * </ul>
 * Several losses combine by weight ({@link #combined}, or names separated by commas in {@link #byName}), as TRL's
 * list-valued {@code loss_type} with {@code loss_weights} (MPO).
 * Rewards are {@code beta * (log pi - log ref)} per completion (without a reference, {@code beta * log pi}),
 * computed from the same (possibly length-averaged) log-probs as the loss.
 */
public final class Losses {

    private Losses() {
    }

    /** The original DPO loss. */
    public static LossFunction sigmoid(double beta) {
        return new PreferenceLoss(Kind.SIGMOID, LossOptions.of(beta));
    }

    /** Conservative DPO: the sigmoid loss with label smoothing {@code e} in [0, 0.5). */
    public static LossFunction sigmoid(double beta, double labelSmoothing) {
        return new PreferenceLoss(Kind.SIGMOID, LossOptions.of(beta).withLabelSmoothing(labelSmoothing));
    }

    /** Robust DPO, unbiased under label noise {@code e} in [0, 0.5). */
    public static LossFunction robust(double beta, double labelSmoothing) {
        return new PreferenceLoss(Kind.ROBUST, LossOptions.of(beta).withLabelSmoothing(labelSmoothing));
    }

    /** The hinge (SLiC) loss. */
    public static LossFunction hinge(double beta) {
        return new PreferenceLoss(Kind.HINGE, LossOptions.of(beta));
    }

    /** Identity preference optimization; {@code beta} is IPO's regularization tau. */
    public static LossFunction ipo(double beta) {
        return new PreferenceLoss(Kind.IPO, LossOptions.of(beta));
    }

    /** SimPO: reference-free, length-normalized, with target reward margin {@code gamma}. */
    public static LossFunction simpo(double beta, double gamma) {
        return new PreferenceLoss(Kind.SIMPO, LossOptions.of(beta).withSimpoGamma(gamma));
    }

    /** TRL's default DiscoPOP temperature. */
    public static final double DEFAULT_DISCOPOP_TAU = 0.05;

    private static final NamedChoices<Kind> KINDS = NamedChoices.ofEnum("loss_type", Kind.class);

    /** The built-in names, as TRL spells them. */
    public static final List<String> NAMES = KINDS.names();

    /**
     * A built-in loss by name (one of {@link #NAMES}) with TRL's other defaults.
     *
     * @throws IllegalArgumentException naming the built-ins when the name is unknown
     */
    public static LossFunction byName(String name, double beta, double labelSmoothing, double gamma) {
        return byName(name, null, LossOptions.of(beta).withLabelSmoothing(labelSmoothing).withSimpoGamma(gamma));
    }

    /**
     * A built-in loss by name (one of {@link #NAMES}), or several separated by commas and summed with
     * {@code weights} (null: weight 1 each).
     *
     * @throws IllegalArgumentException naming the built-ins when a name is unknown, or the bad parameter
     */
    public static LossFunction byName(String names, List<Double> weights, LossOptions options) {
        String[] each = names.split(",", -1);
        if (weights != null && weights.size() != each.length) {
            throw new IllegalArgumentException("loss_weights has " + weights.size() + " value(s) but loss_type '"
                    + names + "' names " + each.length + " loss(es)");
        }
        List<LossFunction> parts = new ArrayList<>();
        for (String name : each) {
            parts.add(single(name, options));
        }
        if (parts.size() == 1 && (weights == null || weights.get(0) == 1.0)) {
            return parts.get(0);
        }
        return combined(parts, weights != null ? weights : Collections.nCopies(parts.size(), 1.0));
    }

    /**
     * A sum of losses, each times its weight; the rewards are the first loss's. With {@code sigmoid} and
     * {@code sft} weighted {@code alpha} it is RPO.
     *
     * @throws IllegalArgumentException when the lists differ in length or are empty
     */
    public static LossFunction combined(List<LossFunction> losses, List<Double> weights) {
        return new WeightedLosses(List.copyOf(losses), List.copyOf(weights));
    }

    /**
     * Whether {@code names} (one loss name, or several separated by commas) has a loss that sorts the pairs of a
     * micro-batch ({@code aot}, {@code aot_unpaired}), so that per-pair weights would no longer match its pairs.
     */
    public static boolean sortsPairs(String names) {
        return java.util.Arrays.stream(names.split(",", -1)).map(KINDS::find)
                .anyMatch(kind -> kind.isPresent() && (kind.get() == Kind.AOT || kind.get() == Kind.AOT_UNPAIRED));
    }

    private static LossFunction single(String name, LossOptions options) {
        Kind kind = KINDS.find(name).orElseThrow(() -> new IllegalArgumentException("unknown loss_type '" + name
                + "'; built in: " + KINDS.listed()));
        return new PreferenceLoss(kind, options);
    }

    /** The loss variants. */
    enum Kind {
        SIGMOID, ROBUST, HINGE, IPO, SIMPO, SIGMOID_NORM, EXO_PAIR, NCA_PAIR, BCO_PAIR, SPPO_HARD, AOT, AOT_UNPAIRED,
        APO_ZERO, APO_DOWN, DISCOPOP, SFT;

        /** Whether the loss works on log-probs averaged over completion tokens. */
        boolean lengthNormalized() {
            return this == IPO || this == SIMPO || this == SIGMOID_NORM;
        }
    }

    /** Every variant in one function, as in the DPO paper's reference code. */
    record PreferenceLoss(Kind kind, LossOptions options) implements LossFunction {

        PreferenceLoss {
            if (kind == Kind.EXO_PAIR && options.labelSmoothing() == 0) {
                throw new IllegalArgumentException("loss_type exo_pair needs label_smoothing above 0 (its target "
                        + "distribution puts that weight on the rejected completion; the EXO paper uses 1e-3)");
            }
        }

        @Override
        public LossOutput compute(PreferenceLogps input) {
            PreferenceLogps logps = kind.lengthNormalized() ? input.lengthNormalized() : input;
            if (needsReference() && !logps.hasReference()) {
                throw new IllegalArgumentException(kind.name().toLowerCase(Locale.ROOT)
                        + " loss needs reference log-probs");
            }
            return new LossOutput(losses(input, logps), reward(logps.policyChosen(), logps.referenceChosen()),
                    reward(logps.policyRejected(), logps.referenceRejected()));
        }

        /** The loss of each pair from the summed log-probs ({@code raw}) and those the loss normalizes. */
        private NDArray losses(PreferenceLogps raw, PreferenceLogps logps) {
            double beta = options.beta();
            double smoothing = options.labelSmoothing();
            if (kind == Kind.SFT) {
                NDArray nll = raw.policyChosen().sum().neg().div(raw.chosenLengths().sum());
                return raw.policyChosen().zerosLike().add(nll);
            }
            if (kind == Kind.SIMPO) {
                return smoothedLogistic(shift(scale(logps.policyChosen().sub(logps.policyRejected()), beta),
                        -options.simpoGamma()));
            }
            NDArray chosen = raw.policyChosen().sub(raw.referenceChosen());
            NDArray rejected = raw.policyRejected().sub(raw.referenceRejected());
            // the divergence's scores; the length-normalized losses average them over completion tokens, as TRL
            NDArray chosenScores = options.fDivergenceType().scores(chosen, options.fAlphaDivergenceCoef());
            NDArray rejectedScores = options.fDivergenceType().scores(rejected, options.fAlphaDivergenceCoef());
            if (kind.lengthNormalized()) {
                chosenScores = chosenScores.div(raw.chosenLengths());
                rejectedScores = rejectedScores.div(raw.rejectedLengths());
            }
            NDArray margin = chosenScores.sub(rejectedScores);
            NDArray x = scale(margin, beta);
            switch (kind) {
                case SIGMOID:
                case SIGMOID_NORM:
                    return smoothedLogistic(x);
                case ROBUST:
                    return scale(scale(logSigmoid(x), -(1 - smoothing))
                            .add(scale(logSigmoid(x.neg()), smoothing)), 1 / (1 - 2 * smoothing));
                case HINGE:
                    return relu(shift(x.neg(), 1));
                case IPO:
                    return shift(margin, -1 / (2 * beta)).square();
                case EXO_PAIR:
                    return sigmoid(x).mul(shift(logSigmoid(x), -Math.log1p(-smoothing)))
                            .add(sigmoid(x.neg()).mul(shift(logSigmoid(x.neg()), -Math.log(smoothing))));
                case NCA_PAIR:
                    return logSigmoid(scale(chosenScores, beta)).neg().sub(scale(
                            logSigmoid(scale(chosenScores, -beta)).add(logSigmoid(scale(rejectedScores, -beta))), 0.5));
                case BCO_PAIR:
                    return logSigmoid(scale(chosenScores, beta)).add(logSigmoid(scale(rejectedScores, -beta))).neg();
                case SPPO_HARD:
                    return shift(chosenScores, -0.5 / beta).square().add(shift(rejectedScores, 0.5 / beta).square());
                case AOT:
                    return smoothedLogistic(scale(raw.policyChosen().sub(raw.policyRejected()).sort(0)
                            .sub(raw.referenceChosen().sub(raw.referenceRejected()).sort(0)), beta));
                case AOT_UNPAIRED:
                    return smoothedLogistic(scale(chosen.sort(0).sub(rejected.sort(0)), beta));
                case APO_ZERO:
                    return shift(sigmoid(scale(chosen, beta)).neg(), 1).add(sigmoid(scale(rejected, beta)));
                case APO_DOWN:
                    return sigmoid(scale(chosen, beta)).add(shift(sigmoid(x).neg(), 1));
                case DISCOPOP:
                    NDArray modulation = sigmoid(scale(x, 1 / options.discopopTau()));
                    return logSigmoid(x).neg().mul(shift(modulation.neg(), 1)).add(x.neg().exp().mul(modulation));
                default:
                    throw new IllegalStateException("unhandled loss " + kind);
            }
        }

        private NDArray smoothedLogistic(NDArray x) {
            double smoothing = options.labelSmoothing();
            NDArray loss = logSigmoid(x).neg();
            return smoothing == 0 ? loss : scale(loss, 1 - smoothing).sub(scale(logSigmoid(x.neg()), smoothing));
        }

        /** {@link LossMath#sigmoid} (a static import would be hidden by {@link Losses#sigmoid(double)}). */
        private static NDArray sigmoid(NDArray x) {
            return LossMath.sigmoid(x);
        }

        private NDArray reward(NDArray policy, NDArray reference) {
            return rewards(policy, kind == Kind.SIMPO ? null : reference, options.beta());
        }

        @Override
        public boolean needsReference() {
            return kind != Kind.SIMPO && kind != Kind.SFT;
        }

        @Override
        public String name() {
            return kind.name().toLowerCase(Locale.ROOT);
        }
    }

    /** Losses summed by weight; the rewards are the first one's. */
    record WeightedLosses(List<LossFunction> parts, List<Double> weights) implements LossFunction {

        WeightedLosses {
            if (parts.isEmpty() || parts.size() != weights.size()) {
                throw new IllegalArgumentException("need one weight per loss, got " + parts.size() + " loss(es) and "
                        + weights.size() + " weight(s)");
            }
        }

        @Override
        public LossOutput compute(PreferenceLogps logps) {
            LossOutput first = null;
            NDArray sum = null;
            for (int i = 0; i < parts.size(); i++) {
                LossOutput out = parts.get(i).compute(logps);
                first = first == null ? out : first;
                NDArray weighted = scale(out.losses(), weights.get(i));
                sum = sum == null ? weighted : sum.add(weighted);
            }
            return new LossOutput(sum, first.chosenRewards(), first.rejectedRewards());
        }

        @Override
        public boolean needsReference() {
            return parts.stream().anyMatch(LossFunction::needsReference);
        }

        @Override
        public String name() {
            StringBuilder name = new StringBuilder();
            for (int i = 0; i < parts.size(); i++) {
                name.append(i == 0 ? "" : " + ").append(weights.get(i) == 1.0 ? "" : weights.get(i) + " ")
                        .append(parts.get(i).name());
            }
            return name.toString();
        }
    }

    /** {@link LossMath#logSigmoid}. */
    static NDArray logSigmoid(NDArray x) {
        return LossMath.logSigmoid(x);
    }
}
