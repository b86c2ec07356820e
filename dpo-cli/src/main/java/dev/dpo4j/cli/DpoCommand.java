package dev.dpo4j.cli;

import dev.dpo4j.api.data.DataFormatException;
import dev.dpo4j.cli.launch.JavaCommand;
import dev.dpo4j.cli.launch.LaunchOptions;
import dev.dpo4j.cli.launch.LaunchPlan;
import dev.dpo4j.cli.launch.RankProcess;
import dev.dpo4j.cli.launch.Supervisor;
import dev.dpo4j.core.train.DpoTrainer;
import dev.dpo4j.core.train.HubPushException;
import dev.dpo4j.hub.HubException;
import dev.dpo4j.hub.HubOptions;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The {@code dpo} command line tool. {@link #run(String[], PrintStream, PrintStream)} does the work and returns the
 * exit code: 0 on success, 2 for a usage mistake ({@link UsageError}: unknown flag, bad value, missing file, bad
 * config key, non-empty output folder or one another run holds; an unreadable data file; a Hub id or revision that
 * does not exist; a Hub token that cannot push, found before training), 1 when training itself fails, whatever
 * the exception, or when {@code --push_to_hub}'s final push fails (the model stays saved, as transformers' push
 * raises after saving). Every failure is one line on the error stream; set the environment
 * variable {@code DPO4J_DEBUG=1} for stack traces. Only {@link #main} exits the JVM; after Ctrl-C or SIGTERM it exits
 * with {@link #SIGINT} or {@link #SIGTERM}. With {@code --nproc_per_node N} it trains nothing itself: it starts N
 * ranks, each this command with the other flags, and exits with the first failing rank's code
 * ({@code dev.dpo4j.cli.launch}).
 */
public final class DpoCommand {

    /** Exit code of a successful run. */
    public static final int OK = 0;
    /** Exit code when training failed for a reason other than the command line. */
    public static final int FAILED = 1;
    /** Exit code of a usage mistake. */
    public static final int USAGE = 2;
    /** Exit code after Ctrl-C (128 + SIGINT's number), once the model is saved and the summary printed. */
    public static final int SIGINT = 130;
    /** Exit code after SIGTERM (128 + its number), once the model is saved and the summary printed. */
    public static final int SIGTERM = 143;

    private DpoCommand() {
    }

    /**
     * Runs the command and exits with its code. Ctrl-C (SIGINT) or SIGTERM while training stops after the current
     * step, saves, prints the summary and exits with 130 or 143 ({@link Interruption}).
     */
    public static void main(String[] args) {
        defaultProperty("ai.djl.offline", "true");
        defaultProperty("java.awt.headless", "true");
        defaultProperty("java.util.logging.SimpleFormatter.format", "%4$s: %5$s%6$s%n");
        Interruption interruption = Interruption.install(System.err);
        int code;
        try {
            code = run(args, System.out, System.err, interruption.running(), null, interruption::launching);
        } finally {
            System.out.flush();
            System.err.flush();
            interruption.finished();
        }
        if (!interruption.signalled()) {
            System.exit(code);
        }
        // a signal started the shutdown: the JVM exits with its code (128 + signal) once the hook returns
    }

    /** Runs the command with the given streams; returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, out, err, new AtomicReference<>(), null);
    }

    /** Runs with the given Hub options instead of the environment's (tests point them at a loopback Hub). */
    static int run(String[] args, PrintStream out, PrintStream err, AtomicReference<DpoTrainer> running,
            HubOptions hub) {
        return run(args, out, err, running, hub, () -> { });
    }

    private static int run(String[] args, PrintStream out, PrintStream err, AtomicReference<DpoTrainer> running,
            HubOptions hub, Runnable onLaunch) {
        CliLogging.configure();
        try {
            ArgumentResolver.Resolved resolved = ArgumentResolver.resolve(args);
            if (resolved.helpRequested()) {
                resolved.commandLine().usage(new PrintWriter(out, true));
                return OK;
            }
            if (resolved.versionRequested()) {
                resolved.commandLine().printVersionHelp(new PrintWriter(out, true));
                return OK;
            }
            CommandOptions command = resolved.command();
            Optional<LaunchPlan> launch = launchPlan(command.launch(), System.getenv());
            if (launch.isPresent()) {
                resolved.config(); // a bad value is reported once, here, not by every rank
                onLaunch.run();
                return launch(launch.get(), args, out, err);
            }
            new DpoRun(command, resolved.config(), resolved.fromDemo(), out, running,
                    hub != null ? hub : HubOptions.fromEnvironment()).execute();
            return OK;
        } catch (UsageError e) {
            return fail(err, e, e.getMessage() + (e.isUnknownArgument() ? " (dpo --help lists the flags)" : ""),
                    USAGE);
        } catch (HubException e) {
            // the Hub's answer, or the cache's state: the message says what to do
            return fail(err, e, message(e), switch (e.kind()) {
                case NETWORK, NOT_CACHED, CHECKSUM, OTHER -> FAILED;
                default -> USAGE;
            });
        } catch (HubPushException e) {
            // the model is saved; the push failed: the message says where the model is and why the push failed
            return fail(err, e, message(e), FAILED);
        } catch (DataFormatException e) {
            // a data file the adapters cannot read: the message names the file
            return fail(err, e, message(e), USAGE);
        } catch (UncheckedIOException e) {
            return fail(err, e, message(e), FAILED);
        } catch (RuntimeException | OutOfMemoryError e) {
            return fail(err, e, "training failed: " + e.getClass().getSimpleName() + ": " + message(e), FAILED);
        }
    }

    /** The ranks to launch, or none; launcher flags while the environment names this process's rank are a mistake. */
    static Optional<LaunchPlan> launchPlan(LaunchOptions options, Map<String, String> environment) {
        try {
            return LaunchPlan.of(options, environment);
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage());
        }
    }

    /** Starts the ranks of {@code plan}, each this command with the other flags, and waits for them. */
    private static int launch(LaunchPlan plan, String[] args, PrintStream out, PrintStream err) {
        Map<String, String> environment = System.getenv();
        List<RankProcess> ranks = RankProcess.of(plan, JavaCommand.current(DpoCommand.class.getName()),
                LaunchOptions.withoutLauncherFlags(List.of(args)), environment);
        if (ranks.get(0).environment().containsKey("OMP_NUM_THREADS")) {
            err.println("dpo: OMP_NUM_THREADS=1 for each rank, as torchrun sets it; set OMP_NUM_THREADS to tune");
        }
        return new Supervisor().run(ranks, out, err);
    }

    private static int fail(PrintStream err, Throwable e, String message, int code) {
        err.println("dpo: error: " + message.replace('\n', ' ').replace('\r', ' '));
        if (System.getenv("DPO4J_DEBUG") != null) {
            e.printStackTrace(err);
        }
        err.flush();
        return code;
    }

    private static String message(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    private static void defaultProperty(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
