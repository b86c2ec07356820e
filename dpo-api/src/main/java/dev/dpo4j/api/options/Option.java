package dev.dpo4j.api.options;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares a record component as an option, once: its name is the component's in snake_case
 * ({@code perDeviceTrainBatchSize}: {@code per_device_train_batch_size}), and this gives its one-line doc, its
 * default as it would be typed, and its range. Builders, the command line's flags and help, config-file keys and
 * {@code byName()} are derived from these declarations by {@link OptionRecords}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface Option {

    /** What the option does, in a line (the command's help shows it, followed by the default). */
    String doc();

    /**
     * The default as typed on a command line ({@code 8}, {@code 1e-6}, {@code linear}, {@code q_proj,v_proj});
     * empty: none (null), which only an object-typed option may have.
     */
    String value() default "";

    /** What help says the default is, where the value alone would say too little; empty: the value. */
    String defaultDoc() default "";

    /** The value's placeholder in help ({@code N}, {@code LR}, {@code DIR}); empty: none (a flag). */
    String label() default "";

    /** Further snake_case names the option is known by (e.g. TRL's newer {@code max_completion_length}). */
    String[] aliases() default {};

    /** The lowest value allowed (numbers). */
    double min() default Double.NEGATIVE_INFINITY;

    /** Whether {@link #min} itself is excluded. */
    boolean minExclusive() default false;

    /** The highest value allowed (numbers). */
    double max() default Double.POSITIVE_INFINITY;

    /** Whether {@link #max} itself is excluded. */
    boolean maxExclusive() default false;

    /** Whether the value must be a finite number. */
    boolean finite() default false;
}
