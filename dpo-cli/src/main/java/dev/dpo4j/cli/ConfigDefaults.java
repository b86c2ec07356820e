package dev.dpo4j.cli;

import dev.dpo4j.core.train.DpoConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The default of every flag that names a training option, taken from {@link DpoConfig}'s own defaults, so the CLI
 * never repeats one: {@code --learning_rate} defaults to whatever {@code DpoConfig.builder()} starts with. Flags of
 * the command alone (the data, the template, the output folder) keep the default their annotation gives.
 */
final class ConfigDefaults implements IDefaultValueProvider {

    private static final Map<String, Object> DEFAULTS = DpoConfig.builder().outputDir(Path.of(".")).build().byName();

    @Override
    public String defaultValue(ArgSpec argument) {
        if (!(argument instanceof OptionSpec option) || option.defaultValue() != null) {
            return null;
        }
        Object value = DEFAULTS.get(ArgumentResolver.key(option));
        return value == null || value instanceof Path ? null : format(value);
    }

    /** As a user would type it: {@code 1e-6}, {@code 0.1}, {@code linear}, {@code reverse_kl}. */
    static String format(Object value) {
        if (value instanceof Double number) {
            return Double.toString(number).replace("E", "e").replace(".0e", "e");
        }
        if (value instanceof Enum<?> choice) {
            return choice.name().toLowerCase(Locale.ROOT);
        }
        if (value instanceof List<?> values) {
            return values.stream().map(ConfigDefaults::format).collect(Collectors.joining(","));
        }
        return value.toString();
    }
}
