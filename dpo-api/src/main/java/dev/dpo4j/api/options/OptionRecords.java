package dev.dpo4j.api.options;

import java.lang.invoke.SerializedLambda;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * What option records declare, read once: a record's components are its options (each annotated {@link Option})
 * and its groups (components that are option records themselves, flattened in order). From them come the defaults,
 * the range checks, records built from values by name, one option changed ({@link #with}), and every value by name
 * ({@link #byName}).
 */
public final class OptionRecords {

    private static final ClassValue<OptionDeclaration[]> DECLARED = new ClassValue<>() {
        @Override
        protected OptionDeclaration[] computeValue(Class<?> type) {
            return declare(type);
        }
    };
    private static final Map<Class<?>, OptionDeclaration> REFERENCED = new ConcurrentHashMap<>();

    private OptionRecords() {
    }

    /** The options {@code type} declares itself, in component order (its groups' not included). */
    public static List<OptionDeclaration> declared(Class<? extends Record> type) {
        return Arrays.stream(DECLARED.get(type)).filter(Objects::nonNull).toList();
    }

    /** Every option of {@code type} and its groups, in component order. */
    public static List<OptionDeclaration> flattened(Class<? extends Record> type) {
        List<OptionDeclaration> all = new ArrayList<>();
        OptionDeclaration[] declared = DECLARED.get(type);
        RecordComponent[] components = type.getRecordComponents();
        for (int i = 0; i < components.length; i++) {
            if (declared[i] != null) {
                all.add(declared[i]);
            } else {
                all.addAll(flattened(group(components[i])));
            }
        }
        return all;
    }

    /** The option of {@code type} or its groups named {@code name} (or one of its aliases). */
    public static Optional<OptionDeclaration> find(Class<? extends Record> type, String name) {
        return flattened(type).stream().filter(d -> d.names().contains(name)).findFirst();
    }

    /** The option an accessor reference such as {@code BatchOptions::perDeviceTrainBatchSize} reads. */
    public static <R extends Record, T> OptionDeclaration of(OptionRef<R, T> option) {
        return REFERENCED.computeIfAbsent(option.getClass(), c -> resolve(option));
    }

    /**
     * Range checks of {@code type}'s own options on the values of its canonical constructor, in order (a group's
     * place takes anything); a record's constructor adds the checks that span options and throws.
     */
    public static Problems check(Class<? extends Record> type, Object... values) {
        OptionDeclaration[] declared = DECLARED.get(type);
        if (values.length != declared.length) {
            throw new IllegalStateException(type.getSimpleName() + " has " + declared.length + " components, "
                    + values.length + " values were checked");
        }
        Problems problems = new Problems();
        for (int i = 0; i < values.length; i++) {
            if (declared[i] != null) {
                declared[i].check(values[i], problems);
            }
        }
        return problems;
    }

    /** {@code type} with every option at its declared default. */
    public static <R extends Record> R defaults(Class<R> type) {
        Problems problems = new Problems();
        R record = create(type, OptionDeclaration::defaultValue, problems);
        problems.throwIfAny(type.getSimpleName() + " defaults: ");
        return record;
    }

    /**
     * Builds {@code type} and its groups from {@code values} (each option's value as given, converted as
     * {@link OptionDeclaration#convert} does); what is wrong goes to {@code problems}, every problem at once.
     *
     * @return the record, or null when a problem was noted
     */
    public static <R extends Record> R create(Class<R> type, Function<OptionDeclaration, Object> values,
            Problems problems) {
        OptionDeclaration[] declared = DECLARED.get(type);
        RecordComponent[] components = type.getRecordComponents();
        Object[] args = new Object[components.length];
        boolean ok = true;
        for (int i = 0; i < components.length; i++) {
            if (declared[i] == null) {
                Class<? extends Record> group = group(components[i]);
                Record built = create(group, values, problems);
                ok &= built != null;
                args[i] = built != null ? built : groupDefaults(group);
                continue;
            }
            try {
                args[i] = declared[i].convert(values.apply(declared[i]));
            } catch (IllegalArgumentException e) {
                problems.require(false, e.getMessage());
                args[i] = declared[i].defaultValue();
                ok = false;
            }
        }
        R record = problems.collect(() -> construct(type, args));
        return ok ? record : null;
    }

    /** {@code record} with the option {@code option} reads set to {@code value}, checked as a new record is. */
    public static <R extends Record, T> R with(R record, OptionRef<R, T> option, T value) {
        OptionDeclaration declaration = of(option);
        @SuppressWarnings("unchecked")
        Class<R> type = (Class<R>) record.getClass();
        RecordComponent[] components = type.getRecordComponents();
        Object[] args = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            args[i] = read(record, components[i]);
        }
        args[declaration.index()] = declaration.convert(value);
        return construct(type, args);
    }

    /** Every option of {@code record} and its groups by snake_case name, in component order. */
    public static Map<String, Object> byName(Record record) {
        Map<String, Object> values = new LinkedHashMap<>();
        OptionDeclaration[] declared = DECLARED.get(record.getClass());
        RecordComponent[] components = record.getClass().getRecordComponents();
        for (int i = 0; i < components.length; i++) {
            Object value = read(record, components[i]);
            if (declared[i] != null) {
                values.put(declared[i].name(), value);
            } else {
                values.putAll(byName((Record) value));
            }
        }
        return values;
    }

    private static OptionDeclaration[] declare(Class<?> type) {
        if (!type.isRecord()) {
            throw new IllegalArgumentException(type.getName() + " is not an option record");
        }
        @SuppressWarnings("unchecked")
        Class<? extends Record> record = (Class<? extends Record>) type;
        RecordComponent[] components = type.getRecordComponents();
        OptionDeclaration[] declared = new OptionDeclaration[components.length];
        for (int i = 0; i < components.length; i++) {
            Option info = components[i].getAnnotation(Option.class);
            if (info != null) {
                declared[i] = new OptionDeclaration(record, components[i], i, info);
            } else if (!components[i].getType().isRecord()) {
                throw new IllegalStateException(type.getSimpleName() + "." + components[i].getName()
                        + " is neither an @Option nor a group of options");
            }
        }
        return declared;
    }

    @SuppressWarnings("unchecked")
    private static Class<? extends Record> group(RecordComponent component) {
        return (Class<? extends Record>) component.getType();
    }

    /** A group's {@code DEFAULTS} constant where it has one, else its declared defaults. */
    private static Record groupDefaults(Class<? extends Record> group) {
        try {
            Field field = group.getField("DEFAULTS");
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == group) {
                return (Record) field.get(null);
            }
        } catch (NoSuchFieldException | IllegalAccessException e) {
            // the declared defaults below
        }
        return defaults(group);
    }

    private static Object read(Record record, RecordComponent component) {
        try {
            Method accessor = component.getAccessor();
            accessor.setAccessible(true);
            return accessor.invoke(record);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read option " + component.getName(), e);
        }
    }

    private static <R extends Record> R construct(Class<R> type, Object[] args) {
        Class<?>[] types = Arrays.stream(type.getRecordComponents()).map(RecordComponent::getType)
                .toArray(Class<?>[]::new);
        try {
            Constructor<R> constructor = type.getDeclaredConstructor(types);
            constructor.setAccessible(true);
            return constructor.newInstance(args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot build " + type.getSimpleName(), e);
        }
    }

    private static OptionDeclaration resolve(OptionRef<?, ?> option) {
        try {
            Method writeReplace = option.getClass().getDeclaredMethod("writeReplace");
            writeReplace.setAccessible(true);
            SerializedLambda lambda = (SerializedLambda) writeReplace.invoke(option);
            Class<?> owner = Class.forName(lambda.getImplClass().replace('/', '.'), false,
                    option.getClass().getClassLoader());
            return Arrays.stream(DECLARED.get(owner)).filter(Objects::nonNull)
                    .filter(d -> d.javaName().equals(lambda.getImplMethodName())).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException(lambda.getImplMethodName() + " of "
                            + owner.getSimpleName() + " is not an option"));
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException("not an option record's accessor: " + option, e);
        }
    }
}
