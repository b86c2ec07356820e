package dev.dpo4j.cli;

import dev.dpo4j.api.options.OptionDeclaration;
import dev.dpo4j.api.options.OptionRecords;
import dev.dpo4j.cli.embedded.EmbeddedDefaults;
import dev.dpo4j.cli.launch.LaunchOptions;
import dev.dpo4j.core.train.DpoConfig;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The flags of the {@code dpo} command, derived from the option declarations: the command's own
 * ({@link CommandOptions}) and every training option of {@link DpoConfig}, each as {@code --snake_case} and
 * {@code --kebab-case} (and its aliases), with its help line and default from the declaration. Every flag can also
 * be set in a {@code --config} file under its snake_case name; flags on the command line win.
 */
final class Flags {

    /** The command's defaults where they differ from the library's: the output folder. */
    static final Map<String, String> COMMAND_DEFAULTS = Map.of("output_dir", "dpo-output");

    private static final String[] DESCRIPTION = {
        "Direct Preference Optimization of a causal language model (Llama, Mistral, Qwen2, Qwen3 families).",
        "Without --model_name_or_path and --data_files it trains the embedded tiny model on the embedded preference "
            + "pairs, with demo defaults (marked 'demo:' below) that differ from the defaults for real models.",
        ""};
    private static final String[] FOOTER = {"",
        "Flags take --flag=value or --flag value; boolean flags also take a bare --flag. --config FILE (JSON or YAML) "
            + "sets any flag by its snake_case name (the launcher's flags excepted); flags given on the command line "
            + "override it.",
        "Several GPUs: dpo --nproc_per_node 8 FLAGS starts 8 ranks, as torchrun does; started by torchrun, Slurm or "
            + "Kubernetes (RANK and WORLD_SIZE set), dpo runs as that rank.",
        "Example: dpo --model_name_or_path Qwen2.5-0.5B-Instruct --dataset ultrafeedback_binarized --data_files data/ "
            + "--template model --output_dir out"};

    private Flags() {
    }

    /**
     * Every declared option, in the order help lists them: the inputs, the training options, the setup, the
     * launcher's.
     */
    static List<OptionDeclaration> declarations() {
        List<OptionDeclaration> all = new ArrayList<>(OptionRecords.flattened(CommandOptions.Input.class));
        all.addAll(OptionRecords.flattened(DpoConfig.class));
        all.addAll(OptionRecords.flattened(CommandOptions.Setup.class));
        all.addAll(OptionRecords.flattened(LaunchOptions.class));
        return all;
    }

    /** A picocli command line of every flag, lenient about repeated scalar flags (the last one wins). */
    static CommandLine commandLine() {
        CommandSpec spec = CommandSpec.create().name("dpo").version("dpo4j dpo 0.1.0").mixinStandardHelpOptions(true);
        spec.usageMessage().description(DESCRIPTION).footer(FOOTER).width(120).autoWidth(true).sortOptions(false)
                .showDefaultValues(false);
        int order = 1;
        for (OptionDeclaration declaration : declarations()) {
            spec.addOption(option(declaration, order++));
        }
        CommandLine cli = new CommandLine(spec);
        cli.setOverwrittenOptionsAllowed(true);
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setUnmatchedOptionsArePositionalParams(false);
        return cli;
    }

    /** The snake_case name of a flag, without dashes. */
    static String key(OptionSpec option) {
        return option.names()[0].replaceFirst("^-+", "");
    }

    private static OptionSpec option(OptionDeclaration d, int order) {
        List<String> names = new ArrayList<>();
        for (String name : d.names()) {
            names.add("--" + name);
            if (name.contains("_")) {
                names.add("--" + name.replace('_', '-'));
            }
        }
        OptionSpec.Builder option = OptionSpec.builder(names.toArray(String[]::new)).order(order)
                .description(help(d));
        Class<?> type = d.type();
        if (d.isFlag()) {
            // a bare flag is true; true|false|auto words are read by the declaration
            option.type(type == boolean.class ? boolean.class : String.class).arity("0..1").fallbackValue("true")
                    .paramLabel(d.label().isEmpty() ? "<" + d.javaName() + ">" : d.label());
        } else if (List.class.isAssignableFrom(type)) {
            Class<?> element = d.elementType() == Double.class || d.elementType() == Path.class ? d.elementType()
                    : String.class;
            option.type(List.class).auxiliaryTypes(element).paramLabel(d.label());
            if (element == Path.class) {
                option.arity("1..*");
            } else {
                option.splitRegex("\\s*,\\s*").splitRegexSynopsisLabel(",");
            }
        } else {
            // numbers as picocli reads them; words (enums, paths, resume_from_checkpoint's true) by the declaration
            option.type(type.isPrimitive() ? type : String.class).paramLabel(d.label());
        }
        return option.build();
    }

    /** The doc, then the default: the declared one (or the command's), and the demo's where it differs. */
    static String help(OptionDeclaration d) {
        String shown = !d.defaultDoc().isEmpty() ? d.defaultDoc()
                : COMMAND_DEFAULTS.containsKey(d.name()) ? COMMAND_DEFAULTS.get(d.name())
                : d.defaultValue() == null ? null : format(d.defaultValue());
        if (shown == null) {
            return d.doc();
        }
        String demo = EmbeddedDefaults.asFlags().get(d.name());
        return d.doc() + " Default: " + shown + (demo == null ? "" : " (demo: " + format(d.convert(demo)) + ")")
                + ".";
    }

    /** As a user would type it: {@code 1e-6}, {@code 0.1}, {@code linear}, {@code reverse_kl}, {@code a,b}. */
    static String format(Object value) {
        if (value instanceof Double number) {
            double v = number;
            if (v != 0 && Math.abs(v) < 0.01 && Double.isFinite(v)) {
                BigDecimal exact = BigDecimal.valueOf(v).stripTrailingZeros();
                String digits = exact.unscaledValue().abs().toString();
                int exponent = digits.length() - 1 - exact.scale();
                return (v < 0 ? "-" : "") + digits.charAt(0) + (digits.length() > 1 ? "." + digits.substring(1) : "")
                        + "e" + exponent;
            }
            return Double.toString(v).replace("E", "e").replace(".0e", "e");
        }
        if (value instanceof Enum<?> choice) {
            return choice.name().toLowerCase(Locale.ROOT);
        }
        if (value instanceof List<?> values) {
            return values.stream().map(Flags::format).collect(Collectors.joining(","));
        }
        return value.toString();
    }
}
