package dev.dpo4j.core.model;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.dpo4j.hub.ModelFileException;

/** Typed access to a JSON config whose errors name the file and the key. */
record ConfigReader(JsonObject json, String source) {

    String string(String key) {
        return require(key).getAsString();
    }

    String string(String key, String fallback) {
        return present(key) ? string(key) : fallback;
    }

    int integer(String key) {
        JsonElement value = require(key);
        try {
            return value.getAsInt();
        } catch (RuntimeException e) {
            throw wrongType(key, "an integer", value);
        }
    }

    int integer(String key, int fallback) {
        return present(key) ? integer(key) : fallback;
    }

    double real(String key, double fallback) {
        if (!present(key)) {
            return fallback;
        }
        try {
            return json.get(key).getAsDouble();
        } catch (RuntimeException e) {
            throw wrongType(key, "a number", json.get(key));
        }
    }

    boolean bool(String key, boolean fallback) {
        if (!present(key)) {
            return fallback;
        }
        JsonElement value = json.get(key);
        if (!value.isJsonPrimitive() || !value.getAsJsonPrimitive().isBoolean()) {
            throw wrongType(key, "true or false", value);
        }
        return value.getAsBoolean();
    }

    ConfigReader child(String key) {
        JsonElement value = require(key);
        if (!value.isJsonObject()) {
            throw wrongType(key, "an object", value);
        }
        return new ConfigReader(value.getAsJsonObject(), source + " (" + key + ")");
    }

    private boolean present(String key) {
        return json.has(key) && !json.get(key).isJsonNull();
    }

    private JsonElement require(String key) {
        if (!present(key)) {
            throw new ModelFileException(source + ": missing key '" + key + "'");
        }
        return json.get(key);
    }

    private ModelFileException wrongType(String key, String expected, JsonElement value) {
        return new ModelFileException(source + ": key '" + key + "' should be " + expected + ", got " + value);
    }
}
