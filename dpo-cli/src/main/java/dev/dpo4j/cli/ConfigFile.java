package dev.dpo4j.cli;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A {@code --config} file: a JSON object or YAML mapping of flag names (snake_case, or kebab-case, optionally with
 * leading dashes) to scalars, or to lists for multi-valued flags such as {@code data_files}. {@code .json} files are
 * read as JSON, anything else as YAML (which also accepts JSON).
 */
final class ConfigFile {

    private ConfigFile() {
    }

    /**
     * The entries of the file, keys normalized to snake_case, each value as the command-line strings it stands for.
     *
     * @throws UsageError when the file is missing, unparsable, not a mapping, or holds nested objects
     */
    static Map<String, List<String>> read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new UsageError("config file " + file + " does not exist");
        }
        boolean json = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json");
        ObjectMapper mapper = json ? new ObjectMapper() : new ObjectMapper(new YAMLFactory());
        JsonNode root;
        try {
            root = mapper.readTree(file.toFile());
        } catch (JacksonException e) {
            throw new UsageError("config file " + file + " is not valid " + (json ? "JSON" : "YAML") + ": "
                    + e.getOriginalMessage().replace('\n', ' ') + location(e));
        } catch (IOException e) {
            throw new UsageError("config file " + file + " cannot be read: " + e.getMessage());
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return Map.of();
        }
        if (!root.isObject()) {
            throw new UsageError("config file " + file + " must hold a mapping of flag names to values, not "
                    + root.getNodeType().toString().toLowerCase(Locale.ROOT));
        }
        Map<String, List<String>> entries = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String key = normalize(field.getKey());
            JsonNode value = field.getValue();
            if (value.isNull()) {
                continue;
            }
            List<String> values = new ArrayList<>();
            if (value.isArray()) {
                for (JsonNode item : value) {
                    values.add(scalar(file, key, item));
                }
            } else {
                values.add(scalar(file, key, value));
            }
            entries.put(key, values);
        }
        return entries;
    }

    /** {@code --Learning-Rate} and {@code learning-rate} become {@code learning_rate}. */
    static String normalize(String key) {
        String k = key.strip();
        while (k.startsWith("-")) {
            k = k.substring(1);
        }
        return k.replace('-', '_').toLowerCase(Locale.ROOT);
    }

    private static String scalar(Path file, String key, JsonNode node) {
        if (node.isContainerNode()) {
            throw new UsageError("config file " + file + ": key '" + key + "' must be a single value"
                    + (node.isArray() ? " or a flat list" : "") + ", not a nested " + (node.isArray() ? "list"
                    : "mapping"));
        }
        return node.asText();
    }

    private static String location(JacksonException e) {
        return e.getLocation() == null || e.getLocation().getLineNr() < 0 ? ""
                : " (line " + e.getLocation().getLineNr() + ")";
    }
}
