package dev.dpo4j.adapters.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dpo4j.adapters.LoadOptions;
import dev.dpo4j.adapters.PreferenceDatasets;
import dev.dpo4j.adapters.testing.JsonlFixtures;
import dev.dpo4j.adapters.testing.ParquetFixtures;
import dev.dpo4j.api.data.ChatMessage;
import dev.dpo4j.api.data.PreferenceExample;
import dev.dpo4j.api.template.PromptTemplate;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AdaptersTest {
    @TempDir Path dir;

    static List<PreferenceExample> all(Iterable<PreferenceExample> examples) {
        List<PreferenceExample> list = new ArrayList<>();
        examples.forEach(list::add);
        return list;
    }

    Path write(String format, String schema, List<Map<String, Object>> rows) {
        return format.equals("parquet") ? ParquetFixtures.write(dir.resolve("train.parquet"), schema, rows)
                : JsonlFixtures.write(dir.resolve("train.jsonl"), rows);
    }

    static final List<Map<String, Object>> ORCA = List.of(
            Map.of("system", "You are an AI assistant.", "question", "What is 2+2?", "chosen", "4", "rejected", "5"),
            Map.of("system", "", "question", "Capital of France?", "chosen", "Paris", "rejected", "Lyon"));

    @ParameterizedTest
    @ValueSource(strings = {"parquet", "jsonl"})
    void orca(String format) {
        Path file = write(format, ParquetFixtures.ORCA, ORCA);
        List<PreferenceExample> examples = all(PreferenceDatasets.load(DatasetAdapters.byName("Intel/orca_dpo_pairs"),
                List.of(file)));
        assertThat(examples).containsExactly(
                PreferenceExample.of("You are an AI assistant.", "What is 2+2?", "4", "5"),
                PreferenceExample.of("Capital of France?", "Paris", "Lyon"));
        assertThat(PromptTemplate.chatMl().renderPrompt(examples.get(0).prompt())).isEqualTo(
                "<|im_start|>system\nYou are an AI assistant.<|im_end|>\n<|im_start|>user\nWhat is 2+2?<|im_end|>\n"
                        + "<|im_start|>assistant\n");
    }

    static Map<String, Object> msg(String role, String content) {
        return Map.of("role", role, "content", content);
    }

    @ParameterizedTest
    @ValueSource(strings = {"parquet", "jsonl"})
    void ultrafeedbackMultiTurn(String format) {
        Map<String, Object> row = Map.of("prompt", "Hi", "prompt_id", "abc",
                "chosen", List.of(msg("user", "Hi"), msg("assistant", "Hello!"), msg("user", "2+2?"),
                        msg("assistant", "4")),
                "rejected", List.of(msg("user", "Hi"), msg("assistant", "Hello!"), msg("user", "2+2?"),
                        msg("assistant", "5")),
                "score_chosen", 9.0, "score_rejected", 2.5);
        Path file = write(format, ParquetFixtures.ULTRAFEEDBACK, List.of(row));
        List<PreferenceExample> examples = all(PreferenceDatasets.load(
                DatasetAdapters.byName("ultrafeedback_binarized"), List.of(file)));
        assertThat(examples).containsExactly(new PreferenceExample(List.of(ChatMessage.user("Hi"),
                ChatMessage.assistant("Hello!"), ChatMessage.user("2+2?")), "4", "5"));
        assertThat(PromptTemplate.llama3().renderPrompt(examples.get(0).prompt())).isEqualTo(
                "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
                        + "<|start_header_id|>assistant<|end_header_id|>\n\nHello!<|eot_id|>"
                        + "<|start_header_id|>user<|end_header_id|>\n\n2+2?<|eot_id|>"
                        + "<|start_header_id|>assistant<|end_header_id|>\n\n");
    }

    static Map<String, Object> answer(String text, String model, double rank) {
        return Map.of("answer", text, "model", model, "rank", rank);
    }

    static final Map<String, Object> NECTAR_ROW = Map.of(
            "prompt", "\n\nHuman: Hi there\n\nAssistant: Hello! How can I help?\n\nHuman: Tell me a joke\n\nAssistant:",
            "answers", List.of(answer("B", "m2", 2.0), answer("A", "m1", 1.0), answer("C", "m3", 3.0)),
            "turns", 2L, "num_responses", 3L, "source", "sharegpt", "good_natured", true);

    @ParameterizedTest
    @ValueSource(strings = {"parquet", "jsonl"})
    void nectarStrategies(String format) {
        Path file = write(format, ParquetFixtures.NECTAR, List.of(NECTAR_ROW));
        List<ChatMessage> prompt = List.of(ChatMessage.user("Hi there"), ChatMessage.assistant("Hello! How can I help?"),
                ChatMessage.user("Tell me a joke"));
        assertThat(all(PreferenceDatasets.load(new NectarAdapter(NectarAdapter.PairStrategy.BEST_VS_WORST, 1),
                List.of(file)))).containsExactly(new PreferenceExample(prompt, "A", "C"));
        assertThat(all(PreferenceDatasets.load(new NectarAdapter(NectarAdapter.PairStrategy.ALL_PAIRS, 1),
                List.of(file)))).containsExactly(new PreferenceExample(prompt, "A", "B"),
                new PreferenceExample(prompt, "A", "C"), new PreferenceExample(prompt, "B", "C"));
        List<PreferenceExample> random = all(PreferenceDatasets.load(DatasetAdapters.byName("berkeley-nest/Nectar"),
                List.of(file)));
        assertThat(random).hasSize(1);
        assertThat(random.get(0).chosen()).isEqualTo("A");
        assertThat(random.get(0).rejected()).isIn("B", "C");
        assertThat(all(PreferenceDatasets.load(new NectarAdapter(), List.of(file)))).isEqualTo(random);
    }

    @Test
    void nectarsRandomDrawFollowsTheSeedOfTheLoadOptions() {
        Path file = write("jsonl", ParquetFixtures.NECTAR, java.util.Collections.nCopies(16, NECTAR_ROW));
        List<String> one = all(PreferenceDatasets.load("nectar", file, LoadOptions.builder().seed(1).build()))
                .stream().map(PreferenceExample::rejected).toList();
        assertThat(one).hasSize(16).containsOnly("B", "C");
        assertThat(all(PreferenceDatasets.load("nectar", file, LoadOptions.builder().seed(1).build())))
                .extracting(PreferenceExample::rejected).isEqualTo(one);
        assertThat(all(PreferenceDatasets.load("nectar", file, LoadOptions.builder().seed(2).build())))
                .extracting(PreferenceExample::rejected).isNotEqualTo(one);
        assertThat(LoadOptions.defaults().seed()).isEqualTo(NectarAdapter.DEFAULT_SEED);
    }

    @Test
    void nectarPairingComesByNameAndThroughLoadOptions() {
        Path file = write("jsonl", ParquetFixtures.NECTAR, List.of(NECTAR_ROW));
        assertThat(NectarAdapter.PairStrategy.byName("best_vs_random"))
                .isEqualTo(NectarAdapter.PairStrategy.RANDOM_LOWER);
        assertThat(NectarAdapter.PairStrategy.byName("Best-vs-Worst"))
                .isEqualTo(NectarAdapter.PairStrategy.BEST_VS_WORST);
        assertThat(NectarAdapter.PairStrategy.ALL_PAIRS.optionName()).isEqualTo("all_pairs");
        assertThat(NectarAdapter.PairStrategy.RANDOM_LOWER.optionName()).isEqualTo("best_vs_random");
        assertThatThrownBy(() -> NectarAdapter.PairStrategy.byName("random"))
                .hasMessage("nectar_pairing must be best_vs_random, best_vs_worst or all_pairs, got 'random'");
        LoadOptions worst = LoadOptions.builder().nectarPairing(NectarAdapter.PairStrategy.BEST_VS_WORST).build();
        assertThat(((NectarAdapter) DatasetAdapters.byName("berkeley-nest/Nectar", worst)).strategy())
                .isEqualTo(NectarAdapter.PairStrategy.BEST_VS_WORST);
        assertThat(all(PreferenceDatasets.load("nectar", file, worst))).extracting(PreferenceExample::rejected)
                .containsExactly("C");
        assertThat(LoadOptions.defaults().nectarPairing()).isEqualTo(NectarAdapter.PairStrategy.RANDOM_LOWER);
        assertThat(DatasetAdapters.byName("generic", worst)).isInstanceOf(GenericPreferenceAdapter.class);
    }

    @Test
    void genericWithStringsAndMessageLists() {
        Path file = JsonlFixtures.write(dir.resolve("d.jsonl"), List.of(
                Map.of("q", "Hi", "good", "Yo", "bad", "No", "sys", "Be nice"),
                Map.of("q", List.of(msg("user", "Hi")), "good", List.of(msg("assistant", "Yo")),
                        "bad", List.of(msg("assistant", "No"))),
                Map.of("good", List.of(msg("user", "Hi"), msg("assistant", "Yo")),
                        "bad", List.of(msg("user", "Hi"), msg("assistant", "No")))));
        GenericPreferenceAdapter adapter = GenericPreferenceAdapter.builder().promptColumn("q").chosenColumn("good")
                .rejectedColumn("bad").systemColumn("sys").build();
        assertThat(all(PreferenceDatasets.load(adapter, List.of(file)))).containsExactly(
                PreferenceExample.of("Be nice", "Hi", "Yo", "No"), PreferenceExample.of("Hi", "Yo", "No"),
                PreferenceExample.of("Hi", "Yo", "No"));
        assertThatThrownBy(() -> GenericPreferenceAdapter.builder().chosenColumn("prompt").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must differ");
    }

    @Test
    void implicitPromptFromStringsIsCutAsTrlCutsIt() {
        Path file = JsonlFixtures.write(dir.resolve("implicit.jsonl"), List.of(
                Map.of("chosen", "The sky is blue.", "rejected", "The sky is green."),
                Map.of("chosen", "Q: 2+2?\nA: 4", "rejected", "Q: 2+2?\nA: 5"),
                Map.of("chosen", "Say hi. Hi!", "rejected", "Say hi. Hi"),
                Map.of("chosen", "Emoji:\uD83D\uDE00 yes", "rejected", "Emoji:\uD83D\uDE01 no")));
        assertThat(all(PreferenceDatasets.load(GenericPreferenceAdapter.standard(), List.of(file)))).containsExactly(
                PreferenceExample.of("The sky is", " blue.", " green."),
                PreferenceExample.of("Q: 2+2?\nA:", " 4", " 5"),
                PreferenceExample.of("Say hi. H", "i!", "i"),
                PreferenceExample.of("Emoji:", "\uD83D\uDE00 yes", "\uD83D\uDE01 no"));
    }

    @Test
    void implicitPromptWithTheTrlTemplateTrainsOnTheRowsOwnText() {
        Path file = JsonlFixtures.write(dir.resolve("implicit.jsonl"), List.of(
                Map.of("chosen", "The sky is blue.", "rejected", "The sky is green.")));
        PreferenceExample example = all(PreferenceDatasets.load(GenericPreferenceAdapter.standard(), List.of(file)))
                .get(0);
        PromptTemplate trl = PromptTemplate.byName("trl");
        assertThat(trl.renderPrompt(example.prompt()) + trl.renderCompletion(example.prompt(), example.chosen()))
                .isEqualTo("The sky is blue.");
        assertThat(trl.renderPrompt(example.prompt()) + trl.renderCompletion(example.prompt(), example.rejected()))
                .isEqualTo("The sky is green.");
    }

    @Test
    void implicitPromptFromMessageListsIsTheSharedMessages() {
        Path file = JsonlFixtures.write(dir.resolve("implicit.jsonl"), List.of(
                Map.of("chosen", List.of(msg("system", "Be brief"), msg("user", "Hi"), msg("assistant", "Hello!"),
                                msg("user", "2+2?"), msg("assistant", "4")),
                        "rejected", List.of(msg("system", "Be brief"), msg("user", "Hi"), msg("assistant", "Hello!"),
                                msg("user", "2+2?"), msg("assistant", "5")))));
        assertThat(all(PreferenceDatasets.load(GenericPreferenceAdapter.standard(), List.of(file)))).containsExactly(
                new PreferenceExample(List.of(ChatMessage.system("Be brief"), ChatMessage.user("Hi"),
                        ChatMessage.assistant("Hello!"), ChatMessage.user("2+2?")), "4", "5"));
    }

    @Test
    void implicitPromptWithNothingSharedNamesTheRow() {
        Path strings = JsonlFixtures.write(dir.resolve("strings.jsonl"), List.of(
                Map.of("chosen", "The sky is blue.", "rejected", "The sky is green."),
                Map.of("chosen", "Blue.", "rejected", "Green.")));
        assertThatThrownBy(() -> all(PreferenceDatasets.load(GenericPreferenceAdapter.standard(), List.of(strings))))
                .hasMessageContaining("strings.jsonl")
                .hasMessageContaining("row 1, field 'prompt': is missing, and 'chosen' and 'rejected' share no "
                        + "leading text to take as the implicit prompt");
        Path lists = JsonlFixtures.write(dir.resolve("lists.jsonl"), List.of(
                Map.of("chosen", List.of(msg("user", "Hi"), msg("assistant", "Yo")),
                        "rejected", List.of(msg("user", "Hey"), msg("assistant", "No")))));
        assertThatThrownBy(() -> all(PreferenceDatasets.load(GenericPreferenceAdapter.standard(), List.of(lists))))
                .hasMessageContaining("lists.jsonl")
                .hasMessageContaining("row 0, field 'prompt': is missing, and 'chosen' and 'rejected' share no "
                        + "leading message");
        Path turns = JsonlFixtures.write(dir.resolve("turns.jsonl"), List.of(
                Map.of("chosen", List.of(msg("user", "Hi"), msg("assistant", "Yo"), msg("user", "More")),
                        "rejected", List.of(msg("user", "Hi"), msg("assistant", "No")))));
        assertThatThrownBy(() -> all(PreferenceDatasets.load(GenericPreferenceAdapter.standard(), List.of(turns))))
                .hasMessageContaining("row 0, field 'chosen': should end with an assistant message but ends with a "
                        + "'user' one");
    }

    @Test
    void anImplicitPromptLeavesSeveralMessagesToACompletionAsTrlDoes() {
        Path turns = JsonlFixtures.write(dir.resolve("turns.jsonl"), List.of(
                Map.of("chosen", List.of(msg("user", "Hi"), msg("assistant", "Yo"), msg("user", "More"),
                                msg("assistant", "Ok")),
                        "rejected", List.of(msg("user", "Hi"), msg("assistant", "No")))));
        PreferenceExample example = all(PreferenceDatasets.load(GenericPreferenceAdapter.standard(), List.of(turns)))
                .get(0);
        assertThat(example.prompt()).containsExactly(ChatMessage.user("Hi"));
        assertThat(example.chosenMessages()).containsExactly(ChatMessage.assistant("Yo"), ChatMessage.user("More"),
                ChatMessage.assistant("Ok"));
        assertThat(example.chosen()).isEqualTo("Ok");
        assertThat(example.rejectedTurns()).isEmpty();
        assertThat(example.rejected()).isEqualTo("No");
    }

    @Test
    void unknownAdapterListsKnownOnes() {
        assertThatThrownBy(() -> DatasetAdapters.byName("hh-rlhf"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dataset adapter must be orca_dpo_pairs, ultrafeedback_binarized, nectar or "
                        + "generic, got 'hh-rlhf' (or the Hub ids Intel/orca_dpo_pairs");
        assertThat(DatasetAdapters.byName("HuggingFaceH4/ultrafeedback_binarized"))
                .isInstanceOf(UltraFeedbackAdapter.class);
        assertThat(DatasetAdapters.byName(" Orca-DPO-Pairs")).isInstanceOf(OrcaDpoPairsAdapter.class);
        assertThat(DatasetAdapters.byName("berkeley-nest/NECTAR")).isInstanceOf(NectarAdapter.class);
    }
}
