package dev.dpo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.dpo4j.hub.HubOptions;
import dev.dpo4j.cli.embedded.EmbeddedDataset;
import dev.dpo4j.cli.embedded.EmbeddedModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dpo command with Hub ids, against a loopback server in the Hub's URL layout (never the real environment). */
class HubCliTest {

    static final String MODEL_SHA = "1111111111111111111111111111111111111111";
    static final String DATA_SHA = "2222222222222222222222222222222222222222";
    static final String ADAPTER_SHA = "3333333333333333333333333333333333333333";

    @TempDir
    Path tmp;
    HttpServer server;
    final List<String> requests = Collections.synchronizedList(new ArrayList<>());
    final Map<String, byte[]> model = new TreeMap<>();
    final Map<String, byte[]> data = new TreeMap<>();
    final Map<String, byte[]> adapter = new TreeMap<>();

    @BeforeEach
    void start() throws IOException {
        Path folder = EmbeddedModel.write(tmp.resolve("model-src"), 42);
        try (Stream<Path> files = Files.list(folder)) {
            for (Path f : files.toList()) {
                model.put(f.getFileName().toString(), Files.readAllBytes(f));
            }
        }
        List<String> rows = Files.readAllLines(EmbeddedDataset.extract(tmp.resolve("data-src")));
        data.put("data/train-00000-of-00001.jsonl", String.join("\n", rows.subList(0, 200)).getBytes(
                StandardCharsets.UTF_8));
        data.put("data/test-00000-of-00001.jsonl", String.join("\n", rows.subList(200, rows.size())).getBytes(
                StandardCharsets.UTF_8));
        data.put("README.md", "# prefs".getBytes(StandardCharsets.UTF_8));
        server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getRawPath();
            requests.add(ex.getRequestMethod() + " " + path);
            if (path.equals("/api/models/acme/tiny/revision/main")) {
                json(ex, info(MODEL_SHA, model));
            } else if (path.equals("/api/models/acme/tiny-lora/revision/main")) {
                json(ex, info(ADAPTER_SHA, adapter));
            } else if (path.startsWith("/acme/tiny-lora/resolve/" + ADAPTER_SHA + "/")) {
                file(ex, adapter.get(path.substring(("/acme/tiny-lora/resolve/" + ADAPTER_SHA + "/").length())),
                        ADAPTER_SHA);
            } else if (path.equals("/api/datasets/acme/prefs/revision/main")) {
                json(ex, info(DATA_SHA, data));
            } else if (path.equals("/api/datasets/acme/prefs/tree/" + DATA_SHA)) {
                List<String> entries = new ArrayList<>();
                data.forEach((p, b) -> entries.add("{\"type\":\"file\",\"path\":\"" + p + "\",\"size\":" + b.length
                        + ",\"oid\":\"" + gitSha1(b) + "\"}"));
                json(ex, "[" + String.join(",", entries) + "]");
            } else if (path.startsWith("/acme/tiny/resolve/" + MODEL_SHA + "/")) {
                file(ex, model.get(path.substring(("/acme/tiny/resolve/" + MODEL_SHA + "/").length())), MODEL_SHA);
            } else if (path.startsWith("/datasets/acme/prefs/resolve/" + DATA_SHA + "/")) {
                file(ex, data.get(path.substring(("/datasets/acme/prefs/resolve/" + DATA_SHA + "/").length())),
                        DATA_SHA);
            } else {
                ex.getResponseHeaders().add("X-Error-Code", "RepoNotFound");
                ex.sendResponseHeaders(401, -1);
            }
        }
    }

    private static String info(String sha, Map<String, byte[]> files) {
        List<String> siblings = files.keySet().stream().map(f -> "{\"rfilename\":\"" + f + "\"}").toList();
        return "{\"sha\":\"" + sha + "\",\"siblings\":[" + String.join(",", siblings) + "]}";
    }

    private static void json(HttpExchange ex, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static void file(HttpExchange ex, byte[] body, String sha) throws IOException {
        if (body == null) {
            ex.getResponseHeaders().add("X-Error-Code", "EntryNotFound");
            ex.sendResponseHeaders(404, -1);
            return;
        }
        ex.getResponseHeaders().add("X-Repo-Commit", sha);
        ex.getResponseHeaders().add("ETag", "\"" + gitSha1(body) + "\"");
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.getResponseHeaders().add("Content-Length", String.valueOf(body.length));
            ex.sendResponseHeaders(200, -1);
            return;
        }
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    static String gitSha1(byte[] data) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            sha1.update(("blob " + data.length + "\0").getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(sha1.digest(data));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    HubOptions hub(boolean offline) {
        return new HubOptions(URI.create("http://127.0.0.1:" + server.getAddress().getPort()), tmp.resolve("env-cache"),
                null, offline);
    }

    DpoCommandTest.Result run(HubOptions hub, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = DpoCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), new AtomicReference<>(), hub);
        return new DpoCommandTest.Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void trainsAHubModelOnAHubDatasetAndReusesTheCache() {
        Path cache = tmp.resolve("cache");
        String[] args = {"--model_name_or_path", "acme/tiny", "--dataset", "acme/prefs", "--cache_dir",
            cache.toString(), "--output_dir", tmp.resolve("out").toString(), "--max_steps", "2", "--disable_tqdm",
            "--per_device_train_batch_size", "2", "--per_device_eval_batch_size", "2", "--template", "plain"};
        DpoCommandTest.Result result = run(hub(false), args);

        assertThat(result.code()).as(result.err()).isZero();
        assertThat(result.out()).contains("acme/tiny from the Hub")
                .contains("acme/prefs (Hub, split train, eval split test), generic schema")
                .contains("the dataset's own split");
        Path snapshot = cache.resolve("models--acme--tiny/snapshots").resolve(MODEL_SHA);
        assertThat(Files.isSymbolicLink(snapshot.resolve("model.safetensors"))).isTrue();
        assertThat(cache.resolve("datasets--acme--prefs/snapshots").resolve(DATA_SHA)
                .resolve("data/test-00000-of-00001.jsonl")).isRegularFile();
        assertThat(tmp.resolve("env-cache")).doesNotExist(); // --cache_dir wins over the environment's

        requests.clear();
        args[7] = tmp.resolve("out2").toString();
        DpoCommandTest.Result offline = run(hub(true), args);
        assertThat(offline.code()).as(offline.err()).isZero();
        assertThat(requests).as("HF_HUB_OFFLINE: the cache only").isEmpty();
    }

    @Test
    void trainsAHubAdapterOnItsHubBase() throws IOException {
        Path cache = tmp.resolve("cache");
        Path first = tmp.resolve("first");
        DpoCommandTest.Result lora = run(hub(false), "--model_name_or_path", "acme/tiny", "--use_peft", "--dataset",
                "acme/prefs", "--cache_dir", cache.toString(), "--output_dir", first.toString(), "--max_steps", "1",
                "--disable_tqdm", "--per_device_train_batch_size", "2", "--template", "plain");
        assertThat(lora.code()).as(lora.err()).isZero();
        assertThat(first.resolve("adapter_config.json")).content().contains("\"base_model_name_or_path\": "
                + "\"acme/tiny\"");
        for (String name : List.of("adapter_config.json", "adapter_model.safetensors")) {
            adapter.put(name, Files.readAllBytes(first.resolve(name)));
        }
        adapter.put("README.md", "# lora".getBytes(StandardCharsets.UTF_8));

        String[] args = {"--model_name_or_path", "acme/tiny-lora", "--dataset", "acme/prefs", "--cache_dir",
            cache.toString(), "--output_dir", tmp.resolve("second").toString(), "--max_steps", "1", "--disable_tqdm",
            "--per_device_train_batch_size", "2", "--template", "plain"};
        DpoCommandTest.Result result = run(hub(false), args);

        assertThat(result.code()).as(result.err()).isZero();
        Path snapshot = cache.resolve("models--acme--tiny-lora/snapshots").resolve(ADAPTER_SHA);
        assertThat(result.out()).contains("LoRA adapter acme/tiny-lora from the Hub, " + snapshot
                + " on acme/tiny (qwen2");
        assertThat(snapshot.resolve("adapter_model.safetensors")).isRegularFile();
        assertThat(tmp.resolve("second").resolve("adapter_model.safetensors")).isNotEmptyFile();
        assertThat(tmp.resolve("second").resolve("tokenizer.json")).as("the base's").isNotEmptyFile();
        assertThat(tmp.resolve("env-cache")).doesNotExist();

        requests.clear();
        args[7] = tmp.resolve("third").toString();
        DpoCommandTest.Result offline = run(hub(true), args);
        assertThat(offline.code()).as(offline.err()).isZero();
        assertThat(requests).as("HF_HUB_OFFLINE: adapter and base from the cache").isEmpty();
    }

    @Test
    void hubErrorsAreOneLine() {
        DpoCommandTest.Result missing = run(hub(false), "--model_name_or_path", "acme/missing", "--dataset",
                "acme/prefs", "--cache_dir", tmp.resolve("cache").toString(), "--output_dir",
                tmp.resolve("o").toString());
        assertThat(missing.code()).isEqualTo(DpoCommand.USAGE);
        assertThat(missing.errLines()).containsExactly("dpo: error: acme/missing was not found on http://127.0.0.1:"
                + server.getAddress().getPort() + ": check the id (org/name), or set HF_TOKEN if it is private");

        // --data_files needs a model now (issue 24): the embedded one, written to a folder
        DpoCommandTest.Result split = run(hub(false), "--model_name_or_path", EmbeddedModel.write(
                tmp.resolve("embedded-model"), 42).toString(), "--data_files", "acme/prefs", "--dataset_split",
                "train_prefs",
                "--cache_dir", tmp.resolve("cache").toString(), "--output_dir", tmp.resolve("o").toString());
        assertThat(split.code()).isEqualTo(DpoCommand.USAGE);
        assertThat(split.errLines()).containsExactly("dpo: error: dataset acme/prefs has no split 'train_prefs': "
                + "its splits are [train, test], choose one of them");

        DpoCommandTest.Result notCached = run(hub(true), "--model_name_or_path", "acme/tiny", "--dataset",
                "acme/prefs", "--cache_dir", tmp.resolve("empty").toString(), "--output_dir",
                tmp.resolve("o").toString());
        assertThat(notCached.code()).isEqualTo(DpoCommand.FAILED);
        assertThat(notCached.errLines()).hasSize(1);
        assertThat(notCached.err()).contains("HF_HUB_OFFLINE is set and acme/tiny (revision 'main') is not in the "
                + "cache");
    }
}
