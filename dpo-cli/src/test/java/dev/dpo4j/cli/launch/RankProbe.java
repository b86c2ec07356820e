package dev.dpo4j.cli.launch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * A rank for the launcher's tests, in place of training: prints a line every rank prints, and one of its own with its
 * variables and arguments; then, by its arguments ({@code key=value}): {@code exit=R:C} rank R exits with code C,
 * {@code sleep=R} (or {@code all}) sleeps until stopped, {@code stubborn=R}'s shutdown hook never returns,
 * {@code hooks=DIR} writes {@code DIR/rank-R} from the shutdown hook, {@code ready=DIR} writes {@code DIR/ready-R}
 * once started.
 */
public final class RankProbe {

    private RankProbe() {
    }

    /** Runs as the rank RANK names. */
    public static void main(String[] args) throws InterruptedException {
        Map<String, String> flags = new HashMap<>();
        for (String arg : args) {
            int equals = arg.indexOf('=');
            if (equals > 0) {
                flags.put(arg.substring(0, equals), arg.substring(equals + 1));
            }
        }
        String rank = System.getenv("RANK");
        if (flags.containsKey("hooks")) {
            Path file = Path.of(flags.get("hooks"), "rank-" + rank);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                System.err.println("rank " + rank + " stopped");
                System.err.flush();
                write(file);
            }));
        }
        if (rank.equals(flags.get("stubborn"))) {
            Runtime.getRuntime().addShutdownHook(new Thread(RankProbe::sleepForever));
        }
        System.out.println("the same on every rank");
        System.out.println("rank " + rank + " of " + System.getenv("WORLD_SIZE") + ", local " + System.getenv(
                "LOCAL_RANK") + " of " + System.getenv("LOCAL_WORLD_SIZE") + ", node " + System.getenv("GROUP_RANK")
                + ", master " + System.getenv("MASTER_ADDR") + ":" + System.getenv("MASTER_PORT") + ", threads "
                + System.getenv("OMP_NUM_THREADS") + ", args " + Arrays.toString(args));
        System.err.println("the same error on every rank");
        System.out.flush();
        System.err.flush();
        if (flags.containsKey("ready")) {
            write(Path.of(flags.get("ready"), "ready-" + rank));
        }
        String exit = flags.getOrDefault("exit", "");
        if (exit.startsWith(rank + ":")) {
            System.exit(Integer.parseInt(exit.substring(exit.indexOf(':') + 1)));
        }
        if (rank.equals(flags.get("sleep")) || "all".equals(flags.get("sleep"))) {
            sleepForever();
        }
    }

    private static void write(Path file) {
        try {
            Path tmp = Files.createTempFile(file.getParent(), "part", ".tmp");
            Files.writeString(tmp, "done");
            Files.move(tmp, file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void sleepForever() {
        try {
            Thread.sleep(Long.MAX_VALUE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
