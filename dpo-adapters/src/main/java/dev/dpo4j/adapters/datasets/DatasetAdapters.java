package dev.dpo4j.adapters.datasets;

import dev.dpo4j.api.data.DatasetAdapter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The named adapters: {@code orca_dpo_pairs}, {@code ultrafeedback_binarized}, {@code nectar} and {@code generic},
 * also reachable by Hub id ({@code Intel/orca_dpo_pairs}, {@code HuggingFaceH4/ultrafeedback_binarized},
 * {@code berkeley-nest/Nectar}); names are case-insensitive.
 */
public final class DatasetAdapters {

    private static final Map<String, Supplier<DatasetAdapter>> ADAPTERS = new LinkedHashMap<>();

    static {
        ADAPTERS.put("orca_dpo_pairs", OrcaDpoPairsAdapter::new);
        ADAPTERS.put("ultrafeedback_binarized", UltraFeedbackAdapter::new);
        ADAPTERS.put("nectar", NectarAdapter::new);
        ADAPTERS.put("generic", GenericPreferenceAdapter::standard);
    }

    private DatasetAdapters() {
    }

    /** The registered short names. */
    public static List<String> names() {
        return List.copyOf(ADAPTERS.keySet());
    }

    /**
     * The adapter for a short name or Hub id (the part after the last '/' is matched).
     *
     * @throws IllegalArgumentException naming the known adapters when the name is unknown
     */
    public static DatasetAdapter byName(String name) {
        String key = name.strip().toLowerCase(Locale.ROOT);
        key = key.substring(key.lastIndexOf('/') + 1).replace('-', '_');
        Supplier<DatasetAdapter> adapter = ADAPTERS.get(key);
        if (adapter == null) {
            throw new IllegalArgumentException("unknown dataset adapter '" + name + "'; known: " + names()
                    + " (or the Hub ids " + OrcaDpoPairsAdapter.HUB_ID + ", " + UltraFeedbackAdapter.HUB_ID + ", "
                    + NectarAdapter.HUB_ID + ")");
        }
        return adapter.get();
    }
}
