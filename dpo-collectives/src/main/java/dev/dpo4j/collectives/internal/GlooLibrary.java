package dev.dpo4j.collectives.internal;

import dev.dpo4j.core.distributed.CollectivesException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Optional;

/**
 * Loads the JNI shim: the file that the property {@value #PROPERTY} names, else the one this jar carries for the
 * platform ({@code dev/dpo4j/collectives/native/linux-x86_64/libdpo4j_gloo.so}), copied to a temporary file.
 */
public final class GlooLibrary {

    /** The system property that names the shim to load instead of the jar's. */
    public static final String PROPERTY = "dpo4j.gloo.library";

    private static final String NAME = "libdpo4j_gloo.so";

    private static String failure;
    private static boolean loaded;

    private GlooLibrary() {
    }

    /** Why the shim cannot load here, or empty once it has loaded. */
    public static synchronized Optional<String> failure() {
        if (!loaded && failure == null) {
            try {
                System.load(locate().toString());
                loaded = true;
            } catch (IOException | UnsatisfiedLinkError | IllegalStateException e) {
                failure = "the Gloo shim did not load: " + e.getMessage() + (e instanceof UnsatisfiedLinkError
                        ? " (it needs Gloo's shared library: package libgloo0 on Debian/Ubuntu)" : "");
            }
        }
        return Optional.ofNullable(failure);
    }

    /**
     * Loads the shim once.
     *
     * @throws CollectivesException saying why it cannot
     */
    public static void load() {
        failure().ifPresent(reason -> {
            throw new CollectivesException(reason);
        });
    }

    /** The platform's folder name: {@code linux-x86_64}, {@code linux-aarch64}. */
    static String platform() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT).startsWith("linux") ? "linux"
                : System.getProperty("os.name").toLowerCase(Locale.ROOT).replace(' ', '_');
        String arch = System.getProperty("os.arch");
        return os + "-" + (arch.equals("amd64") ? "x86_64" : arch);
    }

    private static Path locate() throws IOException {
        String configured = System.getProperty(PROPERTY);
        if (configured != null && !configured.isBlank()) {
            Path path = Path.of(configured).toAbsolutePath();
            if (!Files.isRegularFile(path)) {
                throw new IllegalStateException(PROPERTY + "=" + configured + " is not a file");
            }
            return path;
        }
        String resource = "/dev/dpo4j/collectives/native/" + platform() + "/" + NAME;
        try (InputStream in = GlooLibrary.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("this dpo-collectives jar carries no " + resource.substring(1)
                        + " (built without g++ and libgloo-dev, or for another platform); set -D" + PROPERTY
                        + "=PATH to a built one");
            }
            Path file = Files.createTempFile("libdpo4j_gloo", ".so");
            file.toFile().deleteOnExit();
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            return file;
        }
    }
}
