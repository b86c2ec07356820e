package dev.dpo4j.examples;

import ai.djl.ndarray.NDArray;
import dev.dpo4j.adapters.TrainEvalSplit;
import dev.dpo4j.api.loss.LossFunction;
import dev.dpo4j.api.loss.LossMath;
import dev.dpo4j.api.loss.LossOutput;
import dev.dpo4j.api.loss.PreferenceLogps;
import dev.dpo4j.api.train.TrainingSummary;
import dev.dpo4j.core.checkpoint.AtomicFolder;
import dev.dpo4j.core.train.DpoTrainer;
import dev.dpo4j.cli.embedded.EmbeddedDataset;
import dev.dpo4j.cli.embedded.EmbeddedDefaults;
import dev.dpo4j.cli.embedded.EmbeddedModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A custom {@link LossFunction}: DPO with a target margin, {@code -log sigmoid(beta * h - delta)} where {@code h} is
 * the policy's log-ratio margin minus the reference's. With {@code delta = 0} it is the original DPO loss; a positive
 * {@code delta} keeps pushing until the implicit reward margin exceeds it (as in ODPO's offset). Built only from
 * NDArray operations and {@link LossMath}, so gradients flow back to the policy; rewards are reported as DPO
 * reports them.
 *
 * <p>Run: {@code CustomLossExample [output-dir [max-steps]]}.
 */
public final class CustomLossExample {

    /** {@code -log sigmoid(beta h - delta)}. */
    public record MarginDpoLoss(double beta, double delta) implements LossFunction {

        @Override
        public LossOutput compute(PreferenceLogps logps) {
            // beta * h - delta; numbers in a graph go through LossMath, never x.mul(beta)
            NDArray x = LossMath.shift(LossMath.scale(logps.logitsMargin(), beta), -delta);
            // -log(sigmoid(x)), stable for large |x|
            NDArray losses = LossMath.logSigmoid(x).neg();
            NDArray chosen = LossMath.rewards(logps.policyChosen(), logps.referenceChosen(), beta);
            NDArray rejected = LossMath.rewards(logps.policyRejected(), logps.referenceRejected(), beta);
            return new LossOutput(losses, chosen, rejected);
        }

        @Override
        public String name() {
            return "margin_dpo";
        }
    }

    private CustomLossExample() {
    }

    /** Trains the embedded model with {@link MarginDpoLoss}. */
    public static TrainingSummary run(Path outputDir, long maxSteps, boolean progressBar) throws IOException {
        Path work = Files.createTempDirectory("dpo4j-custom-loss");
        try {
            TrainEvalSplit data = EmbeddedDataset.split(work.resolve("data"), EmbeddedDefaults.EVAL_FRACTION, 42);
            return DpoTrainer.builder()
                    .modelPath(EmbeddedModel.write(work.resolve("model"), EmbeddedModel.DEFAULT_SEED))
                    .trainData(data.train()).evalData(data.eval())
                    .loss(new MarginDpoLoss(EmbeddedDefaults.BETA, 1.0))
                    .outputDir(outputDir).overwriteOutputDir(true)
                    .learningRate(EmbeddedDefaults.LEARNING_RATE)
                    .numTrainEpochs(2).maxSteps(maxSteps).loggingSteps(EmbeddedDefaults.LOGGING_STEPS)
                    .progressBar(progressBar)
                    .build().train();
        } finally {
            AtomicFolder.deleteRecursively(work);
        }
    }

    /** Trains and prints the summary. */
    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "dpo-output-custom-loss");
        TrainingSummary summary = run(out, args.length > 1 ? Long.parseLong(args[1]) : -1, true);
        System.out.printf(Locale.ROOT, "trained %d steps with margin DPO; eval reward accuracy %.3f, margin %.3f%n",
                summary.steps(), summary.lastEval().rewardsAccuracy(), summary.lastEval().rewardsMargin());
    }
}
