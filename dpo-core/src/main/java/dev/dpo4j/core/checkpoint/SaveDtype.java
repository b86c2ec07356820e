package dev.dpo4j.core.checkpoint;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.dpo4j.api.NamedChoices;
import java.util.Locale;

/**
 * The data type the final model's weights are written in. Training always keeps float32 master weights (and
 * checkpoints stay float32, so a resumed run is exact); only the saved model is narrowed.
 */
public enum SaveDtype {
    /** The dtype of the model that training started from ({@code dtype} or {@code torch_dtype} in its config). */
    AUTO,
    /** 4 bytes per weight, exactly the trained values. */
    FLOAT32,
    /** 2 bytes per weight, rounded to nearest; values beyond ±65504 become infinite. */
    FLOAT16,
    /** 2 bytes per weight, rounded to nearest even: the float32 range with 8 bits of precision. */
    BFLOAT16;

    /** Parses {@code auto}, {@code float32}, {@code float16} or {@code bfloat16}; errors name the option. */
    public static SaveDtype parse(String name) {
        return NamedChoices.ofEnum("save_dtype", SaveDtype.class).get(name);
    }

    /**
     * The concrete type: this one, or for {@link #AUTO} the one a Hugging Face {@code config.json} names
     * (float32 when it names none, or a type other than the three).
     */
    public SaveDtype resolve(JsonObject sourceConfig) {
        if (this != AUTO) {
            return this;
        }
        String named = dtypeOf(sourceConfig);
        return switch (named) {
            case "float16", "half" -> FLOAT16;
            case "bfloat16" -> BFLOAT16;
            default -> FLOAT32;
        };
    }

    private static String dtypeOf(JsonObject config) {
        for (String key : new String[] {"dtype", "torch_dtype"}) {
            JsonElement value = config.get(key);
            if (value != null && value.isJsonPrimitive()) {
                return value.getAsString().replace("torch.", "").toLowerCase(Locale.ROOT);
            }
        }
        return "float32";
    }

    /** The name transformers writes into {@code config.json} ({@code float32}, {@code float16}, {@code bfloat16}). */
    public String configName() {
        if (this == AUTO) {
            throw new IllegalStateException("resolve AUTO first");
        }
        return name().toLowerCase(Locale.ROOT);
    }

    /** The safetensors type float weights are stored as. */
    SafetensorsType storage() {
        return switch (this) {
            case FLOAT16 -> SafetensorsType.F16;
            case BFLOAT16 -> SafetensorsType.BF16;
            case FLOAT32 -> SafetensorsType.F32;
            case AUTO -> throw new IllegalStateException("resolve AUTO first");
        };
    }
}
