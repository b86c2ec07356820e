package dev.dpo4j.core.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import dev.dpo4j.core.checkpoint.AtomicFolder;
import dev.dpo4j.core.checkpoint.CheckpointException;
import dev.dpo4j.core.checkpoint.Safetensors;
import dev.dpo4j.core.model.ModelConfig;
import dev.dpo4j.hub.ModelFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A PEFT LoRA adapter folder: {@code adapter_config.json} (peft_type LORA, task_type CAUSAL_LM, r, lora_alpha,
 * lora_dropout, target_modules, use_rslora, base_model_name_or_path) and {@code adapter_model.safetensors}, whose
 * tensors are named {@code base_model.model.<module>.lora_A.weight} and {@code ...lora_B.weight}, as PEFT's
 * {@code save_pretrained} writes them and {@code PeftModel.from_pretrained} reads them. Adapter features dpo4j does
 * not train (DoRA, biases, {@code modules_to_save}, per-layer ranks) are refused by name when read.
 */
public final class AdapterFolder {

    /** The configuration file. */
    public static final String CONFIG = ModelFiles.ADAPTER_CONFIG;
    /** The weights file. */
    public static final String WEIGHTS = ModelFiles.ADAPTER_WEIGHTS;
    /** What PEFT puts before a module's name in the weights file. */
    static final String PREFIX = "base_model.model.";

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeNulls().create();

    private AdapterFolder() {
    }

    /** Whether {@code folder} holds a PEFT adapter (an {@code adapter_config.json}). */
    public static boolean isAdapter(Path folder) {
        return folder != null && Files.isRegularFile(folder.resolve(CONFIG));
    }

    /**
     * Whether {@code folder} is an adapter to load on its base: an {@code adapter_config.json} and no
     * {@code config.json} (a folder with both is a model folder).
     */
    public static boolean isAdapterOnly(Path folder) {
        return isAdapter(folder) && !Files.isRegularFile(folder.resolve(ModelFiles.CONFIG));
    }

    /**
     * The base model folder of an adapter folder: its {@code base_model_name_or_path} as a local folder when there
     * is one, else what {@code hubSnapshot} makes of it as a Hub id.
     *
     * @throws CheckpointException naming the file when the field is missing or empty
     */
    public static Path baseFolder(Path folder, Function<String, Path> hubSnapshot) {
        String base = baseModel(folder);
        Path local = Path.of(base);
        return Files.isDirectory(local) ? local : hubSnapshot.apply(base);
    }

    /**
     * The folder whose tokenizer files go with an adapter on {@code base}: the adapter folder when it has
     * {@code tokenizer.json} (PEFT saves the tokenizer there), else the base folder.
     */
    public static Path tokenizerFolder(Path folder, Path base) {
        return Files.isRegularFile(folder.resolve(ModelFiles.TOKENIZER)) ? folder : base;
    }

    /**
     * The base model an adapter folder names ({@code base_model_name_or_path}).
     *
     * @throws CheckpointException naming the file when the field is missing or empty
     */
    public static String baseModel(Path folder) {
        Path file = folder.resolve(CONFIG);
        JsonElement base = readConfig(file).get("base_model_name_or_path");
        if (base == null || base.isJsonNull() || base.getAsString().isBlank()) {
            throw new CheckpointException(file + ": base_model_name_or_path is missing; dpo4j needs it to find the "
                    + "base model the adapter was trained on");
        }
        return base.getAsString();
    }

    static void write(Path folder, LoraAdapters adapters, String baseModelNameOrPath) throws IOException {
        AtomicFolder.write(folder, tmp -> writeFiles(tmp, adapters, baseModelNameOrPath));
    }

    /** Writes {@code adapter_config.json} and {@code adapter_model.safetensors} into an existing folder. */
    public static void writeFiles(Path folder, LoraAdapters adapters, String baseModelNameOrPath) throws IOException {
        Files.writeString(folder.resolve(CONFIG), GSON.toJson(config(adapters, baseModelNameOrPath)) + "\n");
        Map<String, NDArray> named = new LinkedHashMap<>();
        adapters.parameters().forEach((name, weight) -> named.put(PREFIX + name, weight));
        Safetensors.write(folder.resolve(WEIGHTS), named, Map.of("format", "pt"));
    }

    /** PEFT 0.21's {@code LoraConfig} fields, with the values dpo4j trains with. */
    private static JsonObject config(LoraAdapters adapters, String baseModelNameOrPath) {
        LoraOptions options = adapters.options();
        JsonObject json = new JsonObject();
        json.add("alpha_pattern", new JsonObject());
        json.add("auto_mapping", null);
        json.addProperty("base_model_name_or_path", baseModelNameOrPath);
        json.addProperty("bias", "none");
        json.addProperty("fan_in_fan_out", false);
        json.addProperty("inference_mode", true);
        json.addProperty("init_lora_weights", true);
        json.add("layers_pattern", null);
        json.add("layers_to_transform", null);
        json.addProperty("lora_alpha", options.loraAlpha());
        json.addProperty("lora_dropout", options.loraDropout());
        json.add("modules_to_save", null);
        json.addProperty("peft_type", "LORA");
        json.addProperty("r", options.loraR());
        json.add("rank_pattern", new JsonObject());
        json.add("revision", null);
        JsonArray targets = new JsonArray();
        savedTargets(adapters).forEach(targets::add);
        json.add("target_modules", targets);
        json.addProperty("task_type", "CAUSAL_LM");
        json.addProperty("use_dora", false);
        json.addProperty("use_rslora", options.useRslora());
        return json;
    }

    /** {@code all-linear} saved as PEFT saves it, the short names it expanded to; other targets as given. */
    private static List<String> savedTargets(LoraAdapters adapters) {
        List<String> given = adapters.options().loraTargetModules();
        if (!given.equals(List.of(LoraOptions.ALL_LINEAR))) {
            return new ArrayList<>(new TreeSet<>(given));
        }
        return new ArrayList<>(new TreeSet<>(LoraModule.shortNames(adapters.modules())));
    }

    /** The options an adapter folder's config describes for a model of {@code model}. */
    public static LoraOptions options(Path folder, ModelConfig model) {
        Path configFile = folder.resolve(CONFIG);
        return options(configFile, readConfig(configFile), model);
    }

    static LoraAdapters read(Path folder, ModelConfig model, NDManager parent) {
        LoraOptions options = options(folder, model);
        List<LoraModule> modules = LoraModule.resolve(model, options.loraTargetModules());
        Path weightsFile = folder.resolve(WEIGHTS);
        if (!Files.isRegularFile(weightsFile)) {
            throw new CheckpointException(weightsFile + ": missing (a PEFT adapter folder needs " + CONFIG + " and "
                    + WEIGHTS + "; convert adapter_model.bin with save_pretrained(..., safe_serialization=True))");
        }
        NDManager manager = parent.newSubManager();
        try {
            Map<String, NDArray> loaded = Safetensors.read(weightsFile, manager, DataType.FLOAT32);
            return new LoraAdapters(options, modules, select(weightsFile, modules, options.loraR(), loaded), manager);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    private static JsonObject readConfig(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException(file + ": missing (not a PEFT adapter folder)");
        }
        try {
            JsonObject json = GSON.fromJson(Files.readString(file), JsonObject.class);
            if (json == null) {
                throw new CheckpointException(file + ": empty adapter config");
            }
            return json;
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot read: " + e.getMessage(), e);
        } catch (JsonParseException | IllegalStateException e) {
            throw new CheckpointException(file + ": not a JSON object: " + e.getMessage(), e);
        }
    }

    /** The options an adapter config describes, refusing what dpo4j cannot train. */
    private static LoraOptions options(Path file, JsonObject json, ModelConfig model) {
        String type = text(json, "peft_type", "LORA");
        if (!"LORA".equalsIgnoreCase(type)) {
            throw new CheckpointException(file + ": peft_type is " + type + "; dpo4j trains LORA adapters only");
        }
        refuse(file, json, "use_dora", e -> e.getAsBoolean(), "DoRA adapters");
        refuse(file, json, "fan_in_fan_out", e -> e.getAsBoolean(), "fan_in_fan_out (Conv1D layers)");
        refuse(file, json, "bias", e -> !"none".equals(e.getAsString()), "trained biases (bias must be none)");
        refuse(file, json, "modules_to_save", e -> !e.isJsonArray() || !e.getAsJsonArray().isEmpty(),
                "modules_to_save (fully trained modules)");
        refuse(file, json, "rank_pattern", e -> !e.isJsonObject() || e.getAsJsonObject().size() > 0,
                "per-module ranks (rank_pattern)");
        refuse(file, json, "alpha_pattern", e -> !e.isJsonObject() || e.getAsJsonObject().size() > 0,
                "per-module alphas (alpha_pattern)");
        refuse(file, json, "layers_to_transform", e -> true, "layers_to_transform");
        try {
            int r = json.get("r").getAsInt();
            double alpha = json.get("lora_alpha").getAsDouble();
            if (alpha != Math.rint(alpha)) {
                throw new CheckpointException(file + ": lora_alpha " + alpha + " is not a whole number");
            }
            double dropout = json.has("lora_dropout") ? json.get("lora_dropout").getAsDouble() : 0;
            boolean rslora = json.has("use_rslora") && !json.get("use_rslora").isJsonNull()
                    && json.get("use_rslora").getAsBoolean();
            return new LoraOptions(true, r, (int) alpha, dropout, targets(file, json.get("target_modules"), model),
                    rslora, false, LoraOptions.DEFAULTS.disableDropout());
        } catch (IllegalArgumentException | NullPointerException | UnsupportedOperationException e) {
            throw new CheckpointException(file + ": " + e.getMessage(), e);
        }
    }

    /** The target modules as a list: PEFT's list, {@code all-linear}, or a regular expression over module names. */
    private static List<String> targets(Path file, JsonElement value, ModelConfig model) {
        if (value == null || value.isJsonNull()) {
            throw new CheckpointException(file + ": target_modules is missing");
        }
        if (value.isJsonArray()) {
            List<String> names = new ArrayList<>();
            value.getAsJsonArray().forEach(e -> names.add(e.getAsString()));
            return names;
        }
        String text = value.getAsString();
        if (text.equals(LoraOptions.ALL_LINEAR)) {
            return List.of(text);
        }
        try {
            Pattern pattern = Pattern.compile(text);
            List<String> matched = LoraModule.linearLayers(model).stream().map(LoraModule::name)
                    .filter(n -> pattern.matcher(n).matches()).toList();
            if (matched.isEmpty()) {
                throw new CheckpointException(file + ": target_modules '" + text + "' matches no linear layer");
            }
            return matched;
        } catch (PatternSyntaxException e) {
            throw new CheckpointException(file + ": target_modules '" + text + "' is not a regular expression: "
                    + e.getDescription(), e);
        }
    }

    private static String text(JsonObject json, String key, String otherwise) {
        JsonElement e = json.get(key);
        return e == null || e.isJsonNull() ? otherwise : e.getAsString();
    }

    private static void refuse(Path file, JsonObject json, String key, java.util.function.Predicate<JsonElement> set,
            String feature) {
        JsonElement e = json.get(key);
        if (e != null && !e.isJsonNull() && set.test(e)) {
            throw new CheckpointException(file + ": " + key + " is " + e + "; dpo4j does not train " + feature);
        }
    }

    /** The {@code A} and {@code B} of every module, checked against the config's rank and the model's shapes. */
    private static Map<String, NDArray> select(Path file, List<LoraModule> modules, int r,
            Map<String, NDArray> loaded) {
        Map<String, NDArray> selected = new LinkedHashMap<>();
        for (LoraModule module : modules) {
            take(file, loaded, selected, module.aName(), new Shape(r, module.inFeatures()));
            take(file, loaded, selected, module.bName(), new Shape(module.outFeatures(), r));
        }
        if (!loaded.isEmpty()) {
            throw new CheckpointException(file + ": unexpected tensor '" + loaded.keySet().iterator().next()
                    + "' (not the lora_A or lora_B of a target module in " + CONFIG + ")");
        }
        return selected;
    }

    private static void take(Path file, Map<String, NDArray> loaded, Map<String, NDArray> into, String name,
            Shape shape) {
        NDArray weight = loaded.remove(PREFIX + name);
        if (weight == null) {
            throw new CheckpointException(file + ": lacks '" + PREFIX + name + "' that its " + CONFIG
                    + " target_modules imply");
        }
        if (!weight.getShape().equals(shape)) {
            throw new CheckpointException(file + ": '" + PREFIX + name + "' has shape " + weight.getShape()
                    + " but r and the model imply " + shape);
        }
        into.put(name, weight);
    }
}
