package dev.dpo4j.cli.launch;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How a rank's JVM starts: this JVM's {@code java}, its options, class path and a main class.
 *
 * @param java the java executable
 * @param jvmOptions options before the class path (-Xmx8g, -Dkey=value, --add-opens=...)
 * @param classPath the class path
 * @param mainClass the class whose main runs
 */
public record JavaCommand(Path java, List<String> jvmOptions, String classPath, String mainClass) {

    /** Options of this JVM that a rank does not take: debuggers and agents would fight over their ports and files. */
    private static final List<String> NOT_PASSED_ON = List.of("-agentlib:", "-agentpath:", "-javaagent:", "-Xdebug",
            "-Xrunjdwp");

    /** Copies the options. */
    public JavaCommand {
        jvmOptions = List.copyOf(jvmOptions);
    }

    /** A JVM as this one (same java, options and class path) running {@code mainClass}. */
    public static JavaCommand current(String mainClass) {
        return new JavaCommand(Path.of(System.getProperty("java.home"), "bin", "java"),
                passedOn(ManagementFactory.getRuntimeMXBean().getInputArguments()),
                System.getProperty("java.class.path"), mainClass);
    }

    /** The options a rank takes of {@code inputArguments}: all but agents and debuggers. */
    static List<String> passedOn(List<String> inputArguments) {
        return inputArguments.stream().filter(a -> NOT_PASSED_ON.stream().noneMatch(a::startsWith)).toList();
    }

    /** The command line running the main class with {@code args}. */
    public List<String> command(List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classPath);
        command.add(mainClass);
        command.addAll(args);
        return command;
    }
}
