package dev.dpo4j.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Keeps the README honest: every {@code ```java} block of the project's Markdown files compiles on its own, exactly
 * as shown, in a package of its own, against the modules' classes; and its test command is the one {@code .ci/run}
 * calls.
 *
 * <p>A block that declares a type is compiled as a source file of its own. A block of statements is put, unchanged
 * and after the imports it states, into the method of a fixed wrapper class; the wrapper adds no imports, and it
 * declares as parameters the variables of {@link #PARAMETERS} that the block uses without declaring them.
 */
class ReadmeTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern BLOCK = Pattern.compile("```(\\w+)\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern TYPE = Pattern.compile(
            "^(?:public\\s+)?(?:(?:final|abstract|sealed)\\s+)*(?:class|record|interface|enum)\\s+(\\w+)",
            Pattern.MULTILINE);

    /**
     * The variables a block may use without declaring them, as the text around the blocks introduces them, with
     * their types (fully qualified: the wrapper adds no imports).
     */
    static final Map<String, String> PARAMETERS = parameters();

    private static Map<String, String> parameters() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("modelFolder", "java.nio.file.Path"); // a model folder: config.json, model.safetensors, tokenizer.json
        p.put("dataFolder", "java.nio.file.Path"); // a dataset folder (JSON Lines, JSON or Parquet files)
        p.put("outputDir", "java.nio.file.Path"); // the trainer's output folder
        p.put("tmp", "java.nio.file.Path"); // a test's temporary folder (JUnit's @TempDir)
        p.put("file", "java.nio.file.Path"); // a dataset file
        p.put("model", "java.nio.file.Path"); // a model folder
        p.put("out", "java.nio.file.Path"); // an output folder
        p.put("pairs", "java.lang.Iterable<dev.dpo4j.api.data.PreferenceExample>"); // preference pairs
        return p;
    }

    /** One {@code ```java} block: where it stands and its text. */
    record JavaBlock(String doc, int line, String text) {
        @Override
        public String toString() {
            return doc + " line " + line;
        }

        /** The package it is compiled in: of its own, named after its place. */
        String packageName() {
            return "readme." + doc.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_") + ".line" + line;
        }
    }

    static List<JavaBlock> javaBlocks() throws IOException {
        List<JavaBlock> blocks = new ArrayList<>();
        for (Path doc : markdownFiles()) {
            String text = Files.readString(doc);
            Matcher matcher = BLOCK.matcher(text);
            while (matcher.find()) {
                if (matcher.group(1).equals("java")) {
                    int line = (int) text.substring(0, matcher.start()).lines().count() + 1;
                    blocks.add(new JavaBlock(ROOT.relativize(doc).toString(), line, matcher.group(2)));
                }
            }
        }
        return blocks;
    }

    private static List<Path> markdownFiles() throws IOException {
        try (Stream<Path> files = Files.walk(ROOT)) {
            return files.filter(p -> p.toString().endsWith(".md")).filter(p -> !isSkipped(ROOT.relativize(p)))
                    .sorted().toList();
        }
    }

    /** Build output and hidden folders (.git, .ci) hold no documentation of the project. */
    private static boolean isSkipped(Path relative) {
        for (Path part : relative.getParent() == null ? List.<Path>of() : relative.getParent()) {
            String name = part.toString();
            if (name.equals("target") || name.equals("node_modules") || name.startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    @Test
    void theReadmeHasItsJavaBlocks() throws IOException {
        assertThat(javaBlocks()).filteredOn(b -> b.doc().equals("README.md")).hasSizeGreaterThanOrEqualTo(3);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("javaBlocks")
    void everyJavaBlockCompilesAsShown(JavaBlock block, @TempDir Path classes) {
        List<String> errors = compile(block.packageName(), block.text(), classes);
        assertThat(errors).as("%s does not compile as shown:%n%s", block, block.text()).isEmpty();
    }

    @Test
    void aBlockMissingAnImportIsRefused(@TempDir Path classes) {
        // the check itself: the wrapper adds no import, and a block's type or a parameter's is not enough
        assertThat(compile("readme.selftest.missing", "List<String> names = List.of(file.toString());\n", classes))
                .isNotEmpty().anySatisfy(error -> assertThat(error).contains("class List"));
        assertThat(compile("readme.selftest.complete",
                "import java.util.List;\n\nList<String> names = List.of(file.toString());\n", classes)).isEmpty();
    }

    @Test
    void theTestCommandIsTheOneCiRuns() throws IOException {
        String ci = Files.readString(ROOT.resolve(".ci/run"));
        List<String> commands = blocks("bash");
        assertThat(commands).contains("mvn -B -ntp verify\n");
        assertThat(ci).contains("\nmvn -B -ntp verify\n");
    }

    @Test
    void theMainJobAndEveryFlagExampleUseTheDpoScript() throws IOException {
        List<String> commands = blocks("bash");
        assertThat(commands.get(0)).isEqualTo("./dpo\n");
        assertThat(String.join("", commands)).doesNotContain("-Pdpo").doesNotContain("dpo.args");
        for (Path doc : List.of(ROOT.resolve("README.md"), ROOT.resolve("dpo-cli/USAGE.md"))) {
            for (String line : Files.readAllLines(doc)) {
                assertThat(line).as(doc.toString()).doesNotContain("-Pdpo").doesNotContain("examples.cli");
            }
        }
        assertThat(Files.isExecutable(ROOT.resolve("dpo"))).isTrue();
    }

    /** The compiler's errors for {@code block} compiled in package {@code pkg} into {@code classes}. */
    static List<String> compile(String pkg, String block, Path classes) {
        String name;
        String source;
        Matcher type = TYPE.matcher(block);
        if (type.find()) {
            name = type.group(1);
            source = "package " + pkg + ";\n" + block;
        } else {
            name = "Snippet";
            source = "package " + pkg + ";\n" + wrap(block);
        }
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        assertThat(compiler).as("a JDK's compiler (tests run on a JDK)").isNotNull();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = compiler.getStandardFileManager(diagnostics, Locale.ROOT, null)) {
            JavaFileObject unit = new SimpleJavaFileObject(URI.create("string:///" + pkg.replace('.', '/') + "/"
                    + name + ".java"), JavaFileObject.Kind.SOURCE) {
                @Override
                public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                    return source;
                }
            };
            List<String> options = List.of("-classpath", classPath(), "-d", classes.toString(), "-proc:none",
                    "--release", "17");
            compiler.getTask(null, files, diagnostics, options, null, List.of(unit)).call();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return diagnostics.getDiagnostics().stream().filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
                .map(d -> "line " + d.getLineNumber() + ": " + d.getMessage(Locale.ROOT)).toList();
    }

    /**
     * A block of statements in the fixed wrapper: the block's imports, then a class whose one method holds the rest
     * of the block unchanged, with the {@link #PARAMETERS} the block uses but does not declare.
     */
    static String wrap(String block) {
        List<String> lines = block.lines().toList();
        int body = 0;
        while (body < lines.size() && (lines.get(body).startsWith("import ") || lines.get(body).isBlank())) {
            body++;
        }
        String statements = String.join("\n", lines.subList(body, lines.size()));
        String code = statements.replaceAll("\"(?:\\\\.|[^\"\\\\])*\"", "\"\"").replaceAll("//[^\\n]*", "");
        String parameters = PARAMETERS.entrySet().stream()
                .filter(p -> Pattern.compile("\\b" + p.getKey() + "\\b").matcher(code).find())
                .filter(p -> !Pattern.compile("[\\w>\\]]\\s+" + p.getKey() + "\\s*=[^=]").matcher(code).find())
                .map(p -> p.getValue() + " " + p.getKey()).collect(Collectors.joining(", "));
        return String.join("\n", lines.subList(0, body)) + "\n\nclass Snippet {\n    void run(" + parameters
                + ") throws Exception {\n" + statements + "\n    }\n}\n";
    }

    /** The test class path: surefire's (its own class path is a manifest-only jar), else the JVM's. */
    private static String classPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }

    private static List<String> blocks(String language) throws IOException {
        Matcher matcher = BLOCK.matcher(Files.readString(ROOT.resolve("README.md")));
        List<String> blocks = new ArrayList<>();
        while (matcher.find()) {
            if (matcher.group(1).equals(language)) {
                blocks.add(matcher.group(2));
            }
        }
        return blocks;
    }
}
