package dev.dpo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dpo4j.api.data.PreferenceExample;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --nectar_pairing}: from the command line and the config file to the Nectar adapter, through LoadOptions. */
class NectarPairingCliTest {

    @TempDir
    Path tmp;

    static final String ROW = "{\"prompt\": \"\\n\\nHuman: Tell me a joke\\n\\nAssistant:\", \"answers\": ["
            + "{\"answer\": \"B\", \"model\": \"m2\", \"rank\": 2.0}, "
            + "{\"answer\": \"A\", \"model\": \"m1\", \"rank\": 1.0}, "
            + "{\"answer\": \"C\", \"model\": \"m3\", \"rank\": 3.0}]}\n";

    private List<PreferenceExample> pairs(String... args) throws IOException {
        Path data = Files.writeString(tmp.resolve("nectar.jsonl"), ROW);
        List<String> all = new ArrayList<>(List.of("--dataset", "nectar", "--data_files", data.toString(),
                "--eval_fraction", "0"));
        all.addAll(List.of(args));
        ArgumentResolver.Resolved r = ArgumentResolver.resolve(all.toArray(String[]::new));
        DataStep step = new DataStep(r.command().input(), r.command().setup(), 1);
        List<PreferenceExample> pairs = new ArrayList<>();
        step.load(tmp, () -> null).train().forEach(pairs::add);
        return pairs;
    }

    @Test
    void theDefaultIsBestVersusOneRandomLowerRankedAnswer() throws IOException {
        assertThat(ArgumentResolver.resolve(new String[0]).command().input().nectarPairing())
                .isEqualTo("best_vs_random");
        List<PreferenceExample> pairs = pairs();
        assertThat(pairs).hasSize(1);
        assertThat(pairs.get(0).chosen()).isEqualTo("A");
        assertThat(pairs.get(0).rejected()).isIn("B", "C");
        assertThat(pairs()).isEqualTo(pairs); // seeded: the same pair on every run
        assertThat(pairs("--nectar_pairing", "best_vs_random")).isEqualTo(pairs);
    }

    /** The rejected answers a run with {@code --seed seed} draws from twelve copies of the row. */
    private List<String> rejectedWithSeed(String seed) throws IOException {
        Path data = Files.writeString(tmp.resolve("nectar-12.jsonl"), ROW.repeat(12));
        ArgumentResolver.Resolved r = ArgumentResolver.resolve(new String[] {"--dataset", "nectar", "--data_files",
            data.toString(), "--eval_fraction", "0", "--seed", seed});
        DataStep step = new DataStep(r.command().input(), r.command().setup(), r.config().seed());
        List<String> rejected = new ArrayList<>();
        step.load(tmp, () -> null).train().forEach(p -> rejected.add(p.rejected()));
        return rejected;
    }

    @Test
    void theRandomDrawFollowsTheSeed() throws IOException {
        List<String> one = rejectedWithSeed("1");
        assertThat(one).hasSize(12).containsOnly("B", "C");
        assertThat(rejectedWithSeed("1")).isEqualTo(one);
        assertThat(rejectedWithSeed("2")).hasSize(12).isNotEqualTo(one);
    }

    @Test
    void theFlagChoosesBestVersusWorstOrAllPairs() throws IOException {
        assertThat(pairs("--nectar_pairing", "best_vs_worst")).extracting(p -> p.chosen() + ">" + p.rejected())
                .containsExactly("A>C");
        assertThat(pairs("--nectar-pairing=ALL_PAIRS")).extracting(p -> p.chosen() + ">" + p.rejected())
                .containsExactly("A>B", "A>C", "B>C");
    }

    @Test
    void theConfigFileChoosesItToo() throws IOException {
        Path config = Files.writeString(tmp.resolve("run.yaml"), "nectar_pairing: best_vs_worst\n");
        assertThat(pairs("--config", config.toString())).extracting(p -> p.chosen() + ">" + p.rejected())
                .containsExactly("A>C");
    }

    @Test
    void anUnknownPairingIsAUsageErrorListingTheChoices() {
        ArgumentResolver.Resolved r = ArgumentResolver.resolve(new String[] {"--nectar_pairing", "best_vs_second"});
        assertThatThrownBy(() -> new DataStep(r.command().input(), r.command().setup(), 1))
                .isInstanceOf(UsageError.class)
                .hasMessage("nectar_pairing must be best_vs_random, best_vs_worst or all_pairs, got 'best_vs_second'");
    }
}
