package dev.dpo4j.cli;

import dev.dpo4j.api.options.OptionRecords;
import dev.dpo4j.api.options.Problems;
import dev.dpo4j.cli.embedded.EmbeddedDefaults;
import dev.dpo4j.cli.launch.LaunchOptions;
import dev.dpo4j.core.train.DpoConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Turns the command line into the command's options and the training options: flags on the command line win over
 * the {@code --config} file, which wins over the embedded demo's defaults (only when no model is given), which win
 * over the declared defaults. All layers go through picocli's own parsing of the flags {@link Flags} derives from the
 * declarations, so a value means the same wherever it is written.
 */
final class ArgumentResolver {

    private ArgumentResolver() {
    }

    /**
     * The outcome: either the values given (by snake_case name) to run with, or a request for help or the version.
     */
    record Resolved(Map<String, Object> given, CommandLine commandLine, boolean helpRequested,
            boolean versionRequested, Set<String> fromDemo) {

        /** The command's own options, the given ones over the declared defaults. */
        CommandOptions command() {
            return usage(() -> {
                Problems problems = new Problems();
                CommandOptions options = OptionRecords.create(CommandOptions.class,
                        d -> given.containsKey(d.name()) ? given.get(d.name()) : d.defaultValue(), problems);
                problems.throwIfAny();
                return options;
            });
        }

        /** The training options, the given ones over the command's and the library's defaults. */
        DpoConfig config() {
            return usage(() -> {
                DpoConfig.Builder builder = DpoConfig.builder();
                Flags.COMMAND_DEFAULTS.forEach(builder::option);
                given.forEach((key, value) -> {
                    if (OptionRecords.find(DpoConfig.class, key).isPresent()) {
                        builder.option(key, value);
                    }
                });
                return builder.build();
            });
        }

        /** A bad value of an option is a usage mistake. */
        private static <T> T usage(Supplier<T> build) {
            try {
                return build.get();
            } catch (IllegalArgumentException e) {
                throw new UsageError(e.getMessage());
            }
        }
    }

    /**
     * Parses, merges and returns the options.
     *
     * @throws UsageError with one line naming the flag, value or key at fault
     */
    static Resolved resolve(String[] args) {
        CommandLine first = Flags.commandLine();
        ParseResult user = parse(first, args, "");
        if (first.isUsageHelpRequested() || first.isVersionHelpRequested()) {
            return new Resolved(Map.of(), first, first.isUsageHelpRequested(), first.isVersionHelpRequested(),
                    Set.of());
        }
        Set<String> onCommandLine = user.matchedOptions().stream().map(Flags::key).collect(Collectors.toSet());

        List<String> fromConfig = new ArrayList<>();
        Set<String> configKeys = new HashSet<>();
        if (user.hasMatchedOption("--config")) {
            Path file = Path.of(user.matchedOptionValue("--config", ""));
            Map<String, OptionSpec> known = first.getCommandSpec().options().stream()
                    .filter(o -> o.longestName().startsWith("--"))
                    .collect(Collectors.toMap(Flags::key, o -> o, (a, b) -> a));
            for (Map.Entry<String, List<String>> entry : ConfigFile.read(file).entrySet()) {
                String key = entry.getKey();
                OptionSpec option = known.get(key);
                if (option == null || key.equals("config") || option.usageHelp() || option.versionHelp()) {
                    throw new UsageError("config file " + file + ": unknown key '" + key + "'" + suggestion(key,
                            known.keySet()));
                }
                if (OptionRecords.find(LaunchOptions.class, key).isPresent()) {
                    throw new UsageError("config file " + file + ": '" + key + "' is a launcher flag, read from the "
                            + "command line only (every rank reads the config file again): give --" + key
                            + " on the command line");
                }
                if (!option.isMultiValue() && entry.getValue().size() != 1) {
                    throw new UsageError("config file " + file + ": key '" + key + "' takes one value, got a list");
                }
                configKeys.add(key);
                if (onCommandLine.contains(key)) {
                    continue; // the command line wins
                }
                for (String value : entry.getValue()) {
                    fromConfig.add("--" + key + "=" + value);
                }
            }
            parse(Flags.commandLine(), fromConfig.toArray(String[]::new), "config file " + file + ": ");
        }

        boolean embedded = !onCommandLine.contains("model_name_or_path") && !configKeys.contains("model_name_or_path");
        List<String> merged = new ArrayList<>();
        Set<String> fromDemo = new HashSet<>();
        if (embedded) {
            EmbeddedDefaults.asFlags().forEach((key, value) -> {
                if (!onCommandLine.contains(key) && !configKeys.contains(key)) {
                    merged.add("--" + key + "=" + value);
                    fromDemo.add(key);
                }
            });
        }
        merged.addAll(fromConfig);
        merged.addAll(List.of(args));
        CommandLine last = Flags.commandLine();
        Map<String, Object> given = new LinkedHashMap<>();
        for (OptionSpec option : parse(last, merged.toArray(String[]::new), "").matchedOptions()) {
            given.put(Flags.key(option), option.getValue());
        }
        return new Resolved(given, last, false, false, Set.copyOf(fromDemo));
    }

    private static ParseResult parse(CommandLine cli, String[] args, String prefix) {
        try {
            return cli.parseArgs(args);
        } catch (UnmatchedArgumentException e) {
            List<String> unmatched = e.getUnmatched();
            String what = unmatched.isEmpty() ? "argument" : unmatched.get(0);
            String message = what.startsWith("-") ? "unknown option '" + what + "'"
                    : "unexpected argument '" + what + "' (flags start with --)";
            List<String> suggestions = e.getSuggestions();
            String line = prefix + message + (suggestions.isEmpty() ? "" : "; did you mean "
                    + String.join(" or ", suggestions.subList(0, Math.min(3, suggestions.size()))) + "?");
            throw prefix.isEmpty() ? UsageError.unknownArgument(line) : new UsageError(line);
        } catch (ParameterException e) {
            return fail(prefix + lowerFirst(e.getMessage()));
        }
    }

    private static ParseResult fail(String message) {
        throw new UsageError(message);
    }

    private static String suggestion(String key, Set<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : known) {
            int d = distance(key, candidate);
            if (d < bestDistance) {
                bestDistance = d;
                best = candidate;
            }
        }
        return best != null && bestDistance <= Math.max(2, key.length() / 3) ? "; did you mean '" + best + "'?"
                : "";
    }

    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    private static String lowerFirst(String message) {
        String line = message.lines().findFirst().orElse(message).strip();
        return line.isEmpty() ? line : Character.toLowerCase(line.charAt(0)) + line.substring(1);
    }
}
