package dev.dpo4j.cli;

import dev.dpo4j.adapters.DatasetSource;
import dev.dpo4j.adapters.LoadOptions;
import dev.dpo4j.adapters.PreferenceDatasets;
import dev.dpo4j.adapters.SplitOptions;
import dev.dpo4j.adapters.TrainEvalSplit;
import dev.dpo4j.adapters.datasets.DatasetAdapters;
import dev.dpo4j.adapters.datasets.NectarAdapter;
import dev.dpo4j.api.data.DatasetAdapter;
import dev.dpo4j.cli.embedded.EmbeddedDataset;
import dev.dpo4j.hub.HubClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The data step of a run: which files or Hub datasets, read by which adapter, split how; checked before anything
 * slow happens, loaded once the run starts.
 */
final class DataStep {

    private final CommandOptions.Input in;
    private final long seed;
    private final List<DatasetSource> hubData = new ArrayList<>();
    private final Path missingFile;
    private final boolean datasetFromHub;
    private final LoadOptions loadOptions;
    private final DatasetAdapter adapter;
    private String schema;
    private String description;

    /** Plans the step: the Hub sources among the files and the adapter; a missing file is reported later. */
    DataStep(CommandOptions.Input in, CommandOptions.Setup setup, long seed) {
        this.in = in;
        this.seed = seed;
        Path missing = null;
        if (in.dataFiles() != null) {
            for (Path file : in.dataFiles()) {
                if (!Files.exists(file)) {
                    if (DatasetSource.isHubDatasetId(file.toString())) {
                        hubData.add(new DatasetSource(file.toString(), setup.datasetSplit(), setup.datasetRevision()));
                    } else if (missing == null) {
                        missing = file;
                    }
                }
            }
        }
        missingFile = missing;
        datasetFromHub = !in.hasDataFiles() && DatasetSource.isHubDatasetId(in.dataset());
        if (datasetFromHub) {
            hubData.add(new DatasetSource(in.dataset(), setup.datasetSplit(), setup.datasetRevision()));
        }
        loadOptions = loadOptions(in, seed);
        adapter = adapter();
    }

    /** @throws UsageError naming --nectar_pairing and its choices for an unknown pairing */
    private static LoadOptions loadOptions(CommandOptions.Input in, long seed) {
        NectarAdapter.PairStrategy pairing;
        try {
            pairing = NectarAdapter.PairStrategy.byName(in.nectarPairing());
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage());
        }
        return LoadOptions.builder().lenient(in.lenient()).nectarPairing(pairing).seed(seed).build();
    }

    /** Whether there is data besides the embedded pairs (files or a Hub dataset). */
    /** The Hub id of the dataset when the pairs come from exactly one Hub dataset (for the model card), else null. */
    String hubDatasetId() {
        return hubData.size() == 1 ? hubData.get(0).pathOrId() : null;
    }

    boolean given() {
        return in.hasDataFiles() || datasetFromHub;
    }

    /** @throws UsageError naming the first data file that does not exist */
    void requireFiles() {
        if (missingFile != null) {
            throw new UsageError("data file " + missingFile + " does not exist");
        }
    }

    /** Resolves the Hub sources and splits the data into training and evaluation pairs. */
    TrainEvalSplit load(Path work, Supplier<HubClient> hub) {
        LoadOptions load = loadOptions;
        SplitOptions split = new SplitOptions(in.evalFraction(), seed);
        TrainEvalSplit data;
        if (!hubData.isEmpty()) {
            List<Path> files = new ArrayList<>();
            if (in.dataFiles() != null) {
                in.dataFiles().stream().filter(Files::exists).forEach(files::add);
            }
            PreferenceDatasets.ResolvedSources hubFiles = PreferenceDatasets.resolve(hubData, hub.get(), true);
            files.addAll(hubFiles.files());
            data = PreferenceDatasets.split(adapter, files, load, split);
            description = String.join(", ", hubFiles.descriptions()) + ", " + schema + " schema: "
                    + data.train().files().size() + " file(s); " + data.description();
        } else if (!in.hasDataFiles()) {
            data = PreferenceDatasets.split(adapter, List.of(EmbeddedDataset.extract(work.resolve("data"))), load,
                    split);
            description = "embedded preference pairs (" + in.dataset() + " schema); " + data.description();
        } else {
            data = PreferenceDatasets.split(adapter, in.dataFiles(), load, split);
            description = in.dataset() + ": " + data.train().files().size() + " file(s); " + data.description();
        }
        return data;
    }

    /** What {@link #load} read, for the report. */
    String description() {
        return description;
    }

    /** The --dataset adapter; a Hub id without an adapter of its own reads the generic schema. */
    private DatasetAdapter adapter() {
        if (in.dataset().strip().equalsIgnoreCase("generic") && hubData.size() == 1) {
            String id = hubData.get(0).pathOrId();
            try {
                DatasetAdapter own = DatasetAdapters.byName(id, loadOptions); // e.g. --data_files Intel/orca_dpo_pairs
                schema = id.substring(id.indexOf('/') + 1);
                return own;
            } catch (IllegalArgumentException e) {
                schema = "generic";
                return DatasetAdapters.byName("generic");
            }
        }
        try {
            schema = in.dataset().strip();
            return DatasetAdapters.byName(in.dataset(), loadOptions);
        } catch (IllegalArgumentException e) {
            if (DatasetSource.isHubDatasetId(in.dataset())) {
                schema = "generic";
                return DatasetAdapters.byName("generic");
            }
            throw new UsageError(e.getMessage());
        }
    }
}
