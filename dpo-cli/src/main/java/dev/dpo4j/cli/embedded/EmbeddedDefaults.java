package dev.dpo4j.cli.embedded;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The training options of the embedded demo run, where they differ from the defaults for real models. A randomly
 * initialized 90k-parameter model needs a far higher learning rate than a pretrained LLM (whose default, as TRL's,
 * is 1e-6) and several epochs to learn the preference within a minute on a laptop CPU; evaluating and logging more
 * often draws a smoother curve. Options given on the command line or in a config file always win over these.
 */
public final class EmbeddedDefaults {

    /** Peak learning rate of the demo (real models: 1e-6). */
    public static final double LEARNING_RATE = 1e-3;
    /** DPO beta of the demo: the same as for real models. */
    public static final double BETA = 0.1;
    /** Epochs of the demo (real models: 1). */
    public static final int EPOCHS = 8;
    /** Pairs per step of the demo: the same as for real models. */
    public static final int BATCH_SIZE = 8;
    /** Warmup steps of the demo (real models: 0). */
    public static final long WARMUP_STEPS = 10;
    /** Logging interval of the demo (real models: 10). */
    public static final long LOGGING_STEPS = 5;
    /** Evaluation interval of the demo (real models: 0, only at the end). */
    public static final long EVAL_STEPS = 10;
    /** Held-out fraction of the demo (real data: 0.05). */
    public static final double EVAL_FRACTION = 0.1;

    private EmbeddedDefaults() {
    }

    /** The demo's options by their snake_case flag names, as command-line values. */
    public static Map<String, String> asFlags() {
        Map<String, String> flags = new LinkedHashMap<>();
        flags.put("learning_rate", String.valueOf(LEARNING_RATE));
        flags.put("num_train_epochs", String.valueOf(EPOCHS));
        flags.put("warmup_steps", String.valueOf(WARMUP_STEPS));
        flags.put("logging_steps", String.valueOf(LOGGING_STEPS));
        flags.put("eval_steps", String.valueOf(EVAL_STEPS));
        flags.put("eval_fraction", String.valueOf(EVAL_FRACTION));
        return Collections.unmodifiableMap(flags);
    }
}
