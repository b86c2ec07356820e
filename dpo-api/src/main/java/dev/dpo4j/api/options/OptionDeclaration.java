package dev.dpo4j.api.options;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * One option as its record declares it ({@link Option} on a record component): its snake_case name, type, doc,
 * default and range, and how a value typed as text becomes the component's type. Made by {@link OptionRecords}.
 */
public final class OptionDeclaration {

    private final Class<? extends Record> owner;
    private final RecordComponent component;
    private final int index;
    private final Option info;
    private final String name;
    private final Object defaultValue;

    OptionDeclaration(Class<? extends Record> owner, RecordComponent component, int index, Option info) {
        this.owner = owner;
        this.component = component;
        this.index = index;
        this.info = info;
        this.name = snakeCase(component.getName());
        if (info.value().isEmpty() && component.getType().isPrimitive()) {
            throw new IllegalStateException(owner.getSimpleName() + "." + component.getName()
                    + ": an option of a primitive type needs a default");
        }
        this.defaultValue = info.value().isEmpty() ? null : convert(info.value());
    }

    /** {@code perDeviceTrainBatchSize} to {@code per_device_train_batch_size}. */
    public static String snakeCase(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }

    /** The snake_case name, as TRL's: errors, flags and config keys use it. */
    public String name() {
        return name;
    }

    /** The name and the aliases. */
    public List<String> names() {
        List<String> names = new ArrayList<>();
        names.add(name);
        names.addAll(Arrays.asList(info.aliases()));
        return names;
    }

    /** The record component's (and the builder setter's) camelCase name. */
    public String javaName() {
        return component.getName();
    }

    /** The record that declares it. */
    public Class<? extends Record> owner() {
        return owner;
    }

    /** Its position among the record's components. */
    public int index() {
        return index;
    }

    /** The component's type. */
    public Class<?> type() {
        return component.getType();
    }

    /** The element type of a list option; null for others. */
    public Class<?> elementType() {
        Type generic = component.getGenericType();
        if (List.class.isAssignableFrom(type()) && generic instanceof ParameterizedType p
                && p.getActualTypeArguments()[0] instanceof Class<?> element) {
            return element;
        }
        return null;
    }

    /** Whether it is a yes/no option (a bare flag means true). */
    public boolean isFlag() {
        return type() == boolean.class || type() == Boolean.class;
    }

    /** Whether null is a value of it (object-typed without a default). */
    public boolean nullable() {
        return !type().isPrimitive() && info.value().isEmpty();
    }

    /** The one-line doc. */
    public String doc() {
        return info.doc();
    }

    /** The value's placeholder in help; empty for a flag. */
    public String label() {
        return info.label();
    }

    /** What help says the default is; empty: the default value itself. */
    public String defaultDoc() {
        return info.defaultDoc();
    }

    /** The default, of the component's type; null for none. */
    public Object defaultValue() {
        return defaultValue;
    }

    /**
     * {@code raw} as the component's type: text as typed ({@code "1e-6"}, {@code "linear"}, {@code "a,b"}), a list
     * of texts, a number of another width, or a value of the type itself.
     *
     * @throws IllegalArgumentException naming the option when it is not a value of it
     */
    public Object convert(Object raw) {
        Class<?> type = type();
        if (raw == null) {
            if (type.isPrimitive()) {
                throw new IllegalArgumentException(name + " is required");
            }
            return null;
        }
        if (List.class.isAssignableFrom(type)) {
            List<?> items = raw instanceof String text ? split(text) : raw instanceof List<?> list ? list : null;
            if (items == null) {
                throw new IllegalArgumentException(name + " takes a list, got " + raw);
            }
            Method hook = listParser();
            if (hook != null && items.stream().allMatch(i -> i instanceof String)) {
                return invoke(hook, items);
            }
            List<Object> values = new ArrayList<>();
            for (Object item : items) {
                values.add(item instanceof String text && elementType() != String.class && elementType() != null
                        ? scalar(elementType(), text) : item);
            }
            return Collections.unmodifiableList(values);
        }
        if (raw instanceof String text && type != String.class) {
            return scalar(type, text);
        }
        if (wrapper(type).isInstance(raw)) {
            return raw;
        }
        if (raw instanceof Number n && !(raw instanceof Double) && (type == long.class || type == Long.class)) {
            return n.longValue();
        }
        if (raw instanceof Number n && (type == double.class || type == Double.class)) {
            return n.doubleValue();
        }
        throw new IllegalArgumentException(name + " takes " + type.getSimpleName() + ", got " + raw);
    }

    /** Notes a problem when {@code value} (of the component's type) is missing or out of range. */
    public void check(Object value, Problems problems) {
        if (value == null) {
            problems.require(nullable(), name + " is required");
            return;
        }
        if (value instanceof Number number) {
            double v = number.doubleValue();
            boolean above = info.minExclusive() ? v > info.min() : v >= info.min();
            boolean below = info.maxExclusive() ? v < info.max() : v <= info.max();
            boolean bounded = info.min() != Double.NEGATIVE_INFINITY || info.max() != Double.POSITIVE_INFINITY;
            problems.require(!bounded || above && below, name + " must " + range() + ", got " + value);
            problems.require(!info.finite() || Double.isFinite(v), name + " must be finite, got " + value);
        }
    }

    /** The range in words: {@code be at least 1}, {@code not be negative}, {@code be in [0, 1)}. */
    String range() {
        double min = info.min();
        double max = info.max();
        if (max == Double.POSITIVE_INFINITY) {
            if (min == 0) {
                return info.minExclusive() ? "be positive" : "not be negative";
            }
            return (info.minExclusive() ? "be above " : "be at least ") + number(min);
        }
        if (min == Double.NEGATIVE_INFINITY) {
            return (info.maxExclusive() ? "be below " : "be at most ") + number(max);
        }
        return "be in " + (info.minExclusive() ? "(" : "[") + number(min) + ", " + number(max)
                + (info.maxExclusive() ? ")" : "]");
    }

    private static String number(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }

    private static List<String> split(String text) {
        return text.isBlank() ? List.of() : Arrays.stream(text.strip().split("\\s*,\\s*", -1)).toList();
    }

    private Object scalar(Class<?> type, String text) {
        String t = text.strip();
        try {
            if (type == int.class || type == Integer.class) {
                return Integer.parseInt(t);
            } else if (type == long.class || type == Long.class) {
                return Long.parseLong(t);
            } else if (type == double.class || type == Double.class) {
                return Double.parseDouble(t);
            } else if (type == String.class) {
                return text;
            } else if (type == Path.class) {
                return Path.of(t);
            } else if (isFlag()) {
                return bool(t, type == Boolean.class);
            } else if (type.isEnum()) {
                return enumValue(type, t);
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number, got '" + text + "'", e);
        }
        throw new IllegalStateException(name + ": no conversion from text to " + type.getSimpleName());
    }

    private Boolean bool(String t, boolean orAuto) {
        return switch (t.toLowerCase(Locale.ROOT)) {
            case "true" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            case "auto" -> {
                if (!orAuto) {
                    throw new IllegalArgumentException(name + " must be true or false, got '" + t + "'");
                }
                yield null;
            }
            default -> throw new IllegalArgumentException(name + " must be true, false" + (orAuto ? " or auto" : "")
                    + ", got '" + t + "'");
        };
    }

    /** An enum by its own {@code parse(String)} (whose error names the option), else by its constant's name. */
    private Object enumValue(Class<?> type, String t) {
        try {
            Method parse = type.getMethod("parse", String.class);
            if (Modifier.isStatic(parse.getModifiers()) && parse.getReturnType() == type) {
                return invoke(parse, t);
            }
        } catch (NoSuchMethodException e) {
            // by the constant's name below
        }
        for (Object constant : type.getEnumConstants()) {
            if (((Enum<?>) constant).name().equalsIgnoreCase(t)) {
                return constant;
            }
        }
        throw new IllegalArgumentException(name + " must be one of " + Arrays.toString(type.getEnumConstants())
                .toLowerCase(Locale.ROOT) + ", got '" + t + "'");
    }

    /** The record's {@code static T parse<Name>(List<String>)}, for a list whose words are not its elements. */
    private Method listParser() {
        String method = "parse" + Character.toUpperCase(javaName().charAt(0)) + javaName().substring(1);
        try {
            Method parse = owner.getDeclaredMethod(method, List.class);
            return Modifier.isStatic(parse.getModifiers()) ? parse : null;
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    private static Object invoke(Method method, Object argument) {
        try {
            method.setAccessible(true);
            return method.invoke(null, argument);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw new IllegalStateException(e.getCause());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Class<?> wrapper(Class<?> type) {
        if (!type.isPrimitive()) {
            return type;
        }
        return type == int.class ? Integer.class : type == long.class ? Long.class : type == double.class
                ? Double.class : type == boolean.class ? Boolean.class : type;
    }

    @Override
    public String toString() {
        return owner.getSimpleName() + "." + name;
    }
}
