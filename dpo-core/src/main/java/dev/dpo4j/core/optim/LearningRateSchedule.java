package dev.dpo4j.core.optim;

import dev.dpo4j.api.NamedChoices;

/**
 * Learning-rate schedules as Hugging Face's {@code get_scheduler} defines them: linear warmup from 0 over
 * {@code warmupSteps}, then linear decay to 0, cosine decay to 0, or constant. Step {@code k} (0-based) uses
 * {@code peak * factor(k)}, so with warmup the first step's rate is 0, as in transformers.
 *
 * @param type the decay after warmup
 * @param peak the learning rate reached after warmup
 * @param warmupSteps steps of linear warmup
 * @param totalSteps all optimizer steps of the run
 */
public record LearningRateSchedule(Type type, double peak, long warmupSteps, long totalSteps) {

    /** The decay after warmup. */
    public enum Type {
        /** Linear decay to 0 at the last step (the default, as in transformers). */
        LINEAR,
        /** Half-cosine decay to 0. */
        COSINE,
        /** No decay. */
        CONSTANT;

        private static final NamedChoices<Type> CHOICES = NamedChoices.<Type>builder("lr_scheduler_type")
                .add("linear", LINEAR, "linear_with_warmup")
                .add("cosine", COSINE, "cosine_with_warmup")
                .add("constant", CONSTANT, "constant_with_warmup")
                .build();

        /**
         * Parses {@code linear}, {@code cosine} or {@code constant} (also with {@code _with_warmup}), spelled as
         * {@link dev.dpo4j.api.Names} allows; errors name the option.
         */
        public static Type parse(String name) {
            return CHOICES.get(name);
        }
    }

    /** The learning rate of 0-based optimizer step {@code step}. */
    public double rate(long step) {
        if (step < warmupSteps) {
            return peak * step / Math.max(1, warmupSteps);
        }
        double progress = (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
        switch (type) {
            case LINEAR:
                return peak * Math.max(0, 1 - progress);
            case COSINE:
                return peak * Math.max(0, 0.5 * (1 + Math.cos(Math.PI * progress)));
            default:
                return peak;
        }
    }
}
