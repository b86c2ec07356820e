package dev.dpo4j.core.model;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.dpo4j.hub.ModelFileException;
import java.math.BigDecimal;

/**
 * Typed access to a JSON config whose errors name the file and the key. Values must have the JSON type asked for:
 * an integer is a JSON number without a fraction ({@code "32"}, {@code 259.5} and {@code [32]} are refused), a real
 * a finite JSON number, a string a JSON string.
 */
record ConfigReader(JsonObject json, String source) {

    String string(String key) {
        JsonElement value = require(key);
        if (!value.isJsonPrimitive() || !value.getAsJsonPrimitive().isString()) {
            throw wrongType(key, "a string", value);
        }
        return value.getAsString();
    }

    String string(String key, String fallback) {
        return present(key) ? string(key) : fallback;
    }

    int integer(String key) {
        return integer(key, Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    int integer(String key, int fallback) {
        return present(key) ? integer(key) : fallback;
    }

    /**
     * A required integer within {@code [min, max]}.
     *
     * @throws ModelFileException naming the file and key when it is missing, not an integer or out of bounds
     */
    int integer(String key, long min, long max) {
        JsonElement value = require(key);
        long number = wholeNumber(key, value);
        if (number < min || number > max) {
            throw new ModelFileException(source + ": key '" + key + "' is " + number + ", outside the bounds a real "
                    + "model keeps (" + min + " to " + max + ")");
        }
        return (int) number;
    }

    /** An optional integer within {@code [min, max]}, {@code fallback} when absent. */
    int integer(String key, int fallback, long min, long max) {
        return present(key) ? integer(key, min, max) : fallback;
    }

    double real(String key, double fallback) {
        if (!present(key)) {
            return fallback;
        }
        JsonElement value = json.get(key);
        if (!value.isJsonPrimitive() || !value.getAsJsonPrimitive().isNumber()) {
            throw wrongType(key, "a number", value);
        }
        double number = value.getAsDouble();
        if (!Double.isFinite(number)) {
            throw wrongType(key, "a finite number", value);
        }
        return number;
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

    boolean present(String key) {
        return json.has(key) && !json.get(key).isJsonNull();
    }

    private JsonElement require(String key) {
        if (!present(key)) {
            throw new ModelFileException(source + ": missing key '" + key + "'");
        }
        return json.get(key);
    }

    /** A JSON number without a fraction that fits a long ({@code 32}, {@code 32.0}, {@code 3.2e1}). */
    private long wholeNumber(String key, JsonElement value) {
        if (!value.isJsonPrimitive() || !value.getAsJsonPrimitive().isNumber()) {
            throw wrongType(key, "an integer", value);
        }
        String text = value.getAsString();
        try {
            if (text.length() > 40) {
                throw new ArithmeticException();
            }
            BigDecimal number = new BigDecimal(text).stripTrailingZeros();
            if (number.scale() > 0) {
                throw wrongType(key, "an integer", value);
            }
            if (number.precision() - number.scale() > 19) {
                throw new ArithmeticException();
            }
            return number.longValueExact();
        } catch (NumberFormatException | ArithmeticException e) {
            throw new ModelFileException(source + ": key '" + key + "' is " + brief(value)
                    + ", outside the bounds a real model keeps", e);
        }
    }

    ModelFileException wrongType(String key, String expected, JsonElement value) {
        return new ModelFileException(source + ": key '" + key + "' should be " + expected + ", got " + brief(value));
    }

    private static String brief(JsonElement value) {
        String text = String.valueOf(value);
        return text.length() <= 100 ? text : text.substring(0, 100) + "...";
    }
}
