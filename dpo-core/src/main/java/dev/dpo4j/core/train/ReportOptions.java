package dev.dpo4j.core.train;

import dev.dpo4j.api.NamedChoices;
import dev.dpo4j.api.Names;
import dev.dpo4j.api.options.Option;
import dev.dpo4j.api.options.OptionRecords;
import dev.dpo4j.api.options.Problems;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Where training metrics are reported, as TRL's {@code report_to}: {@code jsonl} ({@code metrics.jsonl}),
 * {@code tensorboard} (event files under {@code output_dir/runs/}), {@code all} (both) or {@code none} (neither).
 */
public record ReportOptions(
        @Option(doc = "Where metrics go, comma-separated: jsonl (metrics.jsonl), tensorboard (event files under "
                + "--output_dir/runs/, readable by TensorBoard and by wandb sync --sync-tensorboard), all, or none.",
                value = "jsonl", label = "NAME")
        List<Reporter> reportTo) {

    private static final NamedChoices<List<Reporter>> CHOICES = NamedChoices.<List<Reporter>>builder("report_to")
            .add("jsonl", List.of(Reporter.JSONL)).add("tensorboard", List.of(Reporter.TENSORBOARD))
            .add("all", List.of(Reporter.values())).add("none", List.of()).build();

    /** Checks that every reporter is named; keeps each once, in declaration order. */
    public ReportOptions {
        new Problems().require(reportTo != null && reportTo.stream().allMatch(Objects::nonNull),
                "report_to is required (none for no reports)").throwIfAny();
        reportTo = reportTo.stream().distinct().sorted().toList();
    }

    /** Today's {@code metrics.jsonl} alone. */
    public static final ReportOptions DEFAULTS = OptionRecords.defaults(ReportOptions.class);

    /** The reporters {@code names} select, as {@link #parse} reads them: how the option's words become its value. */
    static List<Reporter> parseReportTo(List<String> names) {
        return parse(names).reportTo();
    }

    /**
     * The reporters {@code names} select: {@code jsonl}, {@code tensorboard}, {@code all} or {@code none} (alone);
     * an empty list is none.
     *
     * @throws IllegalArgumentException naming {@code report_to} and its choices for an unknown name
     */
    public static ReportOptions parse(List<String> names) {
        if (names == null) {
            throw new IllegalArgumentException("report_to is required (none for no reports)");
        }
        Set<Reporter> reporters = EnumSet.noneOf(Reporter.class);
        for (String name : names) {
            List<Reporter> selected = CHOICES.find(name).orElseThrow(() -> unknown(name));
            if (selected.isEmpty() && names.size() > 1) {
                throw new IllegalArgumentException("report_to none cannot be combined with other reporters, got "
                        + String.join(",", names));
            }
            reporters.addAll(selected);
        }
        return new ReportOptions(new ArrayList<>(reporters));
    }

    private static IllegalArgumentException unknown(String name) {
        IllegalArgumentException error = CHOICES.unknown(name);
        if (name != null && Names.normalize(name).equals("wandb")) {
            return new IllegalArgumentException(error.getMessage() + " (for Weights & Biases, report to tensorboard "
                    + "and run wandb sync --sync-tensorboard on output_dir/runs)");
        }
        return error;
    }

    /** Whether metrics go to {@code reporter}. */
    public boolean reportsTo(Reporter reporter) {
        return reportTo.contains(reporter);
    }

    /** The reporters as {@link #parse(List)} reads them ({@code none} for none). */
    public List<String> names() {
        return reportTo.isEmpty() ? List.of("none")
                : reportTo.stream().map(r -> r.name().toLowerCase(Locale.ROOT)).toList();
    }
}
