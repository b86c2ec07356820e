package dev.dpo4j.adapters.datasets;

import dev.dpo4j.adapters.LoadOptions;
import dev.dpo4j.api.NamedChoices;
import dev.dpo4j.api.data.DatasetAdapter;
import java.util.List;
import java.util.function.Supplier;

/**
 * The named adapters: {@code orca_dpo_pairs}, {@code ultrafeedback_binarized}, {@code nectar} and {@code generic},
 * also reachable by Hub id ({@code Intel/orca_dpo_pairs}, {@code HuggingFaceH4/ultrafeedback_binarized},
 * {@code berkeley-nest/Nectar}); names are spelled as {@link dev.dpo4j.api.Names} allows.
 */
public final class DatasetAdapters {

    private static final NamedChoices<Supplier<DatasetAdapter>> ADAPTERS =
            NamedChoices.<Supplier<DatasetAdapter>>builder("dataset adapter")
                    .add("orca_dpo_pairs", OrcaDpoPairsAdapter::new)
                    .add("ultrafeedback_binarized", UltraFeedbackAdapter::new)
                    .add("nectar", NectarAdapter::new)
                    .add("generic", GenericPreferenceAdapter::standard)
                    .build();

    private DatasetAdapters() {
    }

    /** The registered short names. */
    public static List<String> names() {
        return ADAPTERS.names();
    }

    /**
     * The adapter for a short name or Hub id (the part after the last '/' is matched).
     *
     * @throws IllegalArgumentException naming the known adapters when the name is unknown
     */
    public static DatasetAdapter byName(String name) {
        return byName(name, LoadOptions.defaults());
    }

    /**
     * The adapter for a short name or Hub id, configured by the load options (the {@code nectar} adapter's pairing and
     * the seed of its random draw).
     *
     * @throws IllegalArgumentException naming the known adapters when the name is unknown
     */
    public static DatasetAdapter byName(String name, LoadOptions options) {
        DatasetAdapter adapter = byDefaults(name);
        return adapter instanceof NectarAdapter
                ? new NectarAdapter(options.nectarPairing(), options.seed()) : adapter;
    }

    private static DatasetAdapter byDefaults(String name) {
        String shortName = name.substring(name.lastIndexOf('/') + 1);
        try {
            return ADAPTERS.get(shortName).get();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(ADAPTERS.unknown(name).getMessage() + " (or the Hub ids "
                    + OrcaDpoPairsAdapter.HUB_ID + ", " + UltraFeedbackAdapter.HUB_ID + ", " + NectarAdapter.HUB_ID
                    + ")", e);
        }
    }
}
