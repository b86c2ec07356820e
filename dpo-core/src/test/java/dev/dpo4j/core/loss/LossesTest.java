package dev.dpo4j.core.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import dev.dpo4j.api.loss.LossFunction;
import dev.dpo4j.api.loss.LossOutput;
import dev.dpo4j.api.loss.PreferenceLogps;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each loss on one pair whose values are worked out by hand in the comments. */
class LossesTest {

    private NDManager manager;
    /** policy chosen -1, rejected -3; reference -2 and -2; lengths 2 and 4: margin h = (-1 + 3) - 0 = 2. */
    private PreferenceLogps logps;

    @BeforeEach
    void setUp() {
        manager = NDManager.newBaseManager();
        logps = new PreferenceLogps(manager.create(new float[] {-1}), manager.create(new float[] {-3}),
                manager.create(new float[] {-2}), manager.create(new float[] {-2}), manager.create(new float[] {2}),
                manager.create(new float[] {4}));
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    private static double loss(LossOutput output) {
        return output.losses().getFloat(0);
    }

    @Test
    void sigmoidIsMinusLogSigmoidOfBetaTimesMargin() {
        LossOutput out = Losses.sigmoid(0.1).compute(logps);
        assertThat(loss(out)).isCloseTo(Math.log1p(Math.exp(-0.2)), within(1e-6)); // 0.598139
        assertThat(out.chosenRewards().getFloat(0)).isCloseTo(0.1f, within(1e-6f)); // 0.1 * (-1 - -2)
        assertThat(out.rejectedRewards().getFloat(0)).isCloseTo(-0.1f, within(1e-6f)); // 0.1 * (-3 - -2)
    }

    @Test
    void labelSmoothingGivesConservativeDpo() {
        // 0.9 * 0.598139 + 0.1 * log(1 + e^0.2) = 0.9 * 0.598139 + 0.1 * 0.798139
        assertThat(loss(Losses.sigmoid(0.1, 0.1).compute(logps))).isCloseTo(0.618139, within(1e-5));
    }

    @Test
    void robustDpoDebiasesTheSmoothing() {
        // (0.9 * 0.598139 - 0.1 * 0.798139) / (1 - 0.2)
        assertThat(loss(Losses.robust(0.1, 0.1).compute(logps))).isCloseTo(0.573139, within(1e-5));
    }

    @Test
    void hingeIsReluOfOneMinusBetaMargin() {
        assertThat(loss(Losses.hinge(0.1).compute(logps))).isCloseTo(0.8, within(1e-6)); // 1 - 0.2
        assertThat(loss(Losses.hinge(1).compute(logps))).isEqualTo(0.0); // 1 - 2 < 0
    }

    @Test
    void ipoSquaresTheLengthAveragedMarginMinusHalfInverseBeta() {
        // averages: policy -0.5, -0.75; reference -1, -0.5: h = 0.25 + 0.5 = 0.75; (0.75 - 5)^2 = 18.0625
        assertThat(loss(Losses.ipo(0.1).compute(logps))).isCloseTo(18.0625, within(1e-4));
    }

    // with beta 0.1: c = -1 - -2 = 1, r = -3 - -2 = -1, h = 2; values from the formulas in Losses' Javadoc

    @Test
    void exoPairIsTheKlToTheSmoothedTargetAndNeedsSmoothing() {
        // s(.2)(log s(.2) - log(1 - 1e-3)) + s(-.2)(log s(-.2) - log 1e-3)
        assertThat(loss(Losses.byName("exo_pair", 0.1, 1e-3, 0).compute(logps))).isCloseTo(2.4220146, within(1e-5));
        assertThatThrownBy(() -> Losses.byName("exo_pair", 0.1, 0, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("exo_pair needs label_smoothing above 0");
    }

    @Test
    void ncaAndBcoScoreEachCompletionOnItsOwn() {
        // -log s(.1) - log s(-.1)/2 - log s(.1)/2 and -log s(.1) - log s(.1)
        assertThat(loss(Losses.byName("nca_pair", 0.1, 0, 0).compute(logps))).isCloseTo(1.3387933, within(1e-5));
        assertThat(loss(Losses.byName("bco_pair", 0.1, 0, 0).compute(logps))).isCloseTo(1.2887933, within(1e-5));
    }

    @Test
    void sppoHardPullsEachLogRatioToPlusOrMinusHalfInverseBeta() {
        assertThat(loss(Losses.byName("sppo_hard", 0.1, 0, 0).compute(logps))).isCloseTo(32.0, within(1e-4));
    }

    @Test
    void apoAnchorsTheChosenLogRatio() {
        // 1 - s(.1) + s(-.1) and s(.1) + 1 - s(.2)
        assertThat(loss(Losses.byName("apo_zero", 0.1, 0, 0).compute(logps))).isCloseTo(0.9500416, within(1e-6));
        assertThat(loss(Losses.byName("apo_down", 0.1, 0, 0).compute(logps))).isCloseTo(0.9751452, within(1e-6));
    }

    @Test
    void discopopBlendsLogisticAndExponentialByTheMargin() {
        // x = .2, m = s(.2 / .05): -log s(.2)(1 - m) + exp(-.2) m
        assertThat(loss(Losses.byName("discopop", null, LossOptions.of(0.1).withDiscopopTau(0.05)).compute(logps))).isCloseTo(0.8147631,
                within(1e-6));
    }

    @Test
    void sigmoidNormUsesLengthAveragedLogRatios() {
        // averaged h = (-1/2 + 2/2) - (-3/4 + 2/4) = 0.75: -log s(0.075)
        assertThat(loss(Losses.byName("sigmoid_norm", 0.1, 0, 0).compute(logps))).isCloseTo(0.6563501,
                within(1e-6));
    }

    @Test
    void aotSortsTheLogRatiosOverTheBatch() {
        // policy chosen -1, -2, rejected -3, -1; reference chosen -2, -2, rejected -2, -4
        PreferenceLogps two = new PreferenceLogps(manager.create(new float[] {-1, -2}), manager.create(
                new float[] {-3, -1}), manager.create(new float[] {-2, -2}), manager.create(new float[] {-2, -4}),
                manager.create(new float[] {1, 1}), manager.create(new float[] {1, 1}));
        // policy log-ratios 2, -1 sorted -1, 2; reference 0, 2 sorted 0, 2: deltas -1 and 0
        assertThat(Losses.byName("aot", 0.1, 0, 0).compute(two).losses().toFloatArray())
                .containsExactly(new float[] {0.7443967f, 0.6931472f}, within(1e-6f));
        // chosen log-ratios 1, 0 sorted 0, 1; rejected -1, 3 sorted -1, 3: deltas 1 and -2
        assertThat(Losses.byName("aot_unpaired", 0.1, 0, 0).compute(two).losses().toFloatArray())
                .containsExactly(new float[] {0.6443967f, 0.7981389f}, within(1e-6f));
    }

    @Test
    void sftIsTheChosenNegativeLogLikelihoodPerTokenAndCombinesByWeight() {
        LossFunction sft = Losses.byName("sft", 0.1, 0, 0);
        assertThat(sft.needsReference()).isFalse();
        assertThat(loss(sft.compute(logps))).isCloseTo(0.5, within(1e-6)); // -(-1) / 2 tokens
        LossFunction rpo = Losses.byName("sigmoid,sft", java.util.List.of(1.0, 0.5), LossOptions.of(0.1));
        assertThat(rpo.needsReference()).isTrue();
        LossOutput out = rpo.compute(logps);
        assertThat(loss(out)).isCloseTo(0.598139 + 0.25, within(1e-5));
        assertThat(out.chosenRewards().getFloat(0)).isCloseTo(0.1f, within(1e-6f)); // the sigmoid loss's rewards
        assertThat(rpo.name()).isEqualTo("sigmoid + 0.5 sft");
        assertThat(loss(Losses.byName("hinge", java.util.List.of(2.0), LossOptions.of(0.1)).compute(logps)))
                .isCloseTo(1.6, within(1e-6)); // 2 * 0.8
        assertThatThrownBy(() -> Losses.byName("sigmoid,sft", java.util.List.of(1.0), LossOptions.of(0.1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("loss_weights has 1 value(s) but loss_type 'sigmoid,sft' names 2 loss(es)");
    }

    @Test
    void fDivergencesTurnLogRatiosIntoScores() {
        // c = 1, r = -1; forward KL: -e^-1 - -e^1 = 2.3504; JS: log s(1) - log s(-1) = 1;
        // alpha 0.5: (e^-0.5 - e^0.5) / -0.5 = 2.0844; then -log s(0.1 * delta)
        LossOptions options = LossOptions.of(0.1);
        assertThat(loss(Losses.byName("sigmoid", null, options.withFDivergence(FDivergence.FORWARD_KL, 1))
                .compute(logps))).isCloseTo(0.5825167, within(1e-6));
        assertThat(loss(Losses.byName("sigmoid", null, options.withFDivergence(FDivergence.JS_DIVERGENCE, 1))
                .compute(logps))).isCloseTo(0.6443967, within(1e-6));
        assertThat(loss(Losses.byName("sigmoid", null, options.withFDivergence(FDivergence.ALPHA_DIVERGENCE, 0.5))
                .compute(logps))).isCloseTo(0.5943491, within(1e-6));
        // alpha 1 is reverse KL, plain DPO
        assertThat(loss(Losses.byName("sigmoid", null, options.withFDivergence(FDivergence.ALPHA_DIVERGENCE, 1))
                .compute(logps))).isCloseTo(0.598139, within(1e-6));
        assertThatThrownBy(() -> FDivergence.parse("tv")).hasMessage("f_divergence_type must be reverse_kl, "
                + "forward_kl, js_divergence or alpha_divergence, got 'tv'");
    }

    @Test
    void everyBuiltInTrainsWithFiniteGradients() {
        for (String name : Losses.NAMES) {
            LossFunction loss = Losses.byName(name, 0.1, 0.1, 0.5);
            ai.djl.ndarray.NDArray policy = manager.create(new float[] {-1, -2, -3, -1});
            policy.setRequiresGradient(true);
            try (ai.djl.training.GradientCollector collector = ai.djl.engine.Engine.getInstance()
                    .newGradientCollector()) {
                PreferenceLogps input = new PreferenceLogps(policy.get("0:2"), policy.get("2:4"),
                        manager.create(new float[] {-2, -2}), manager.create(new float[] {-2, -4}),
                        manager.create(new float[] {2, 3}), manager.create(new float[] {4, 1}));
                collector.backward(loss.compute(input).losses().mean());
            }
            assertThat(policy.getGradient().toFloatArray()).as(name).doesNotContain(Float.NaN)
                    .satisfies(g -> assertThat(g[0] != 0 || g[1] != 0).as(name + " moves the chosen").isTrue());
        }
        assertThat(Losses.NAMES).hasSize(16);
    }

    @Test
    void simpoIsReferenceFreeAndLengthNormalized() {
        LossFunction simpo = Losses.simpo(2, 0.5);
        assertThat(simpo.needsReference()).isFalse();
        PreferenceLogps noReference = new PreferenceLogps(logps.policyChosen(), logps.policyRejected(), null, null,
                logps.chosenLengths(), logps.rejectedLengths());
        LossOutput out = simpo.compute(noReference);
        // 2 * (-0.5 - -0.75) - 0.5 = 0, so the loss is log 2
        assertThat(loss(out)).isCloseTo(Math.log(2), within(1e-6));
        assertThat(out.chosenRewards().getFloat(0)).isCloseTo(-1f, within(1e-6f)); // 2 * -0.5
        assertThat(out.rejectedRewards().getFloat(0)).isCloseTo(-1.5f, within(1e-6f)); // 2 * -0.75
    }

    @Test
    void logSigmoidIsStableForLargeInputs() {
        float[] values = Losses.logSigmoid(manager.create(new float[] {-200, 0, 200, 20})).toFloatArray();
        assertThat(values).containsExactly(new float[] {-200f, (float) -Math.log(2), 0f, (float) -Math.exp(-20)},
                within(1e-5f));
        // a confident pair keeps a tiny positive loss instead of rounding to 0 (log1p(e^-20) = 2.06e-9)
        assertThat(-values[3]).isCloseTo((float) Math.exp(-20), within(1e-12f));
    }

    @Test
    void namesAndValidatesOptions() {
        assertThat(Losses.byName("IPO", 0.1, 0, 0).name()).isEqualTo("ipo");
        assertThatThrownBy(() -> Losses.byName("orpo", 0.1, 0, 0)).hasMessageContaining("unknown loss_type 'orpo'")
                .hasMessageContaining("sigmoid, robust, hinge, ipo, simpo");
        assertThatThrownBy(() -> Losses.sigmoid(0.1, 0.5)).hasMessageContaining("label_smoothing");
        assertThatThrownBy(() -> Losses.sigmoid(0.1).compute(new PreferenceLogps(logps.policyChosen(),
                logps.policyRejected(), null, null, logps.chosenLengths(), logps.rejectedLengths())))
                .hasMessageContaining("needs reference log-probs");
    }
}
