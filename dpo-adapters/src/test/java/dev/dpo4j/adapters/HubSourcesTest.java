package dev.dpo4j.adapters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dpo4j.adapters.datasets.OrcaDpoPairsAdapter;
import dev.dpo4j.adapters.testing.JsonlFixtures;
import dev.dpo4j.hub.DownloadListener;
import dev.dpo4j.hub.FakeHub;
import dev.dpo4j.hub.HubClient;
import dev.dpo4j.hub.HubException;
import dev.dpo4j.hub.HubOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PreferenceDatasets reads Hub dataset ids (through a HubClient against the loopback Hub) and local paths alike. */
class HubSourcesTest {

    static final String ROW = "{\"system\":\"\",\"question\":\"q%d\",\"chosen\":\"a\",\"rejected\":\"b\"}";

    @TempDir
    Path tmp;
    FakeHub hub;
    HubClient client;

    @BeforeEach
    void start() throws IOException {
        hub = new FakeHub();
        hub.dataset("acme/prefs").commit("main", FakeHub.files(
                "data/train_prefs-00000-of-00001.jsonl", rows(0, 3),
                "data/test_prefs-00000-of-00001.jsonl", rows(10, 1),
                "data/train_sft-00000-of-00001.jsonl", rows(20, 5),
                "README.md", "# prefs"));
        client = HubClient.builder().options(new HubOptions(hub.endpoint(), tmp.resolve("cache"), null, false))
                .listener(DownloadListener.silent()).build();
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    static String rows(int first, int n) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < n; i++) {
            out.append(String.format(ROW, first + i)).append('\n');
        }
        return out.toString();
    }

    @Test
    void hubSplitWithItsOwnEvalSplit() {
        DatasetSource source = new DatasetSource("acme/prefs", "train_prefs", null);
        assertThat(source.isHub()).isTrue();
        TrainEvalSplit split = PreferenceDatasets.split(new OrcaDpoPairsAdapter(), List.of(source), client,
                LoadOptions.defaults(), SplitOptions.defaults());
        assertThat(split.fromDataset()).isTrue();
        assertThat(LoadingTest.count(split.train())).isEqualTo(3);
        assertThat(LoadingTest.count(split.eval())).isEqualTo(1);
        assertThat(split.train().files()).allMatch(p -> p.startsWith(tmp.resolve("cache").toAbsolutePath()));

        PreferenceDatasets.ResolvedSources resolved = PreferenceDatasets.resolve(List.of(source), client, true);
        assertThat(resolved.descriptions()).containsExactly("acme/prefs (Hub, split train_prefs, eval split test_prefs)");
        assertThat(PreferenceDatasets.resolve(List.of(new DatasetSource("acme/prefs", "train_sft", null)), client,
                true).descriptions()).containsExactly("acme/prefs (Hub, split train_sft)");
    }

    @Test
    void loadReadsOnlyTheNamedSplitAndLocalPathsStandForThemselves() {
        PreferenceDataset sft = PreferenceDatasets.load(new OrcaDpoPairsAdapter(),
                new DatasetSource("acme/prefs", "train_sft", null), client, LoadOptions.defaults());
        assertThat(LoadingTest.count(sft)).isEqualTo(5);

        Path local = JsonlFixtures.write(tmp.resolve("pairs.jsonl"), List.of(LoadingTest.orca("q", "a", "b")));
        DatasetSource file = DatasetSource.of(local);
        assertThat(file.isHub()).isFalse();
        assertThat(LoadingTest.count(PreferenceDatasets.load(new OrcaDpoPairsAdapter(), file, null,
                LoadOptions.defaults()))).isEqualTo(1);
    }

    @Test
    void idsAndErrors() {
        assertThat(DatasetSource.isHubDatasetId("Intel/orca_dpo_pairs")).isTrue();
        assertThat(DatasetSource.isHubDatasetId("data/rows.jsonl")).as("a missing file, not an id").isFalse();
        assertThat(DatasetSource.isHubDatasetId("orca_dpo_pairs")).as("single names are local").isFalse();
        assertThat(DatasetSource.of("acme/prefs").split()).isEqualTo("train");

        assertThatThrownBy(() -> PreferenceDatasets.load(new OrcaDpoPairsAdapter(), DatasetSource.of("acme/prefs"),
                null, LoadOptions.defaults())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("acme/prefs is a Hub id").hasMessageContaining("HubClient");
        assertThatThrownBy(() -> PreferenceDatasets.load(new OrcaDpoPairsAdapter(),
                new DatasetSource("acme/prefs", "validation", null), client, LoadOptions.defaults()))
                .isInstanceOfSatisfying(HubException.class,
                        e -> assertThat(e.kind()).isEqualTo(HubException.Kind.ENTRY_NOT_FOUND))
                .hasMessageContaining("has no split 'validation'");
    }
}
