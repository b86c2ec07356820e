package dev.dpo4j.adapters.readme;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dpo4j.adapters.LoadOptions;
import dev.dpo4j.adapters.PreferenceDataset;
import dev.dpo4j.adapters.PreferenceDatasets;
import dev.dpo4j.adapters.testing.JsonlFixtures;
import dev.dpo4j.api.data.DatasetAdapter;
import dev.dpo4j.api.data.PreferenceExample;
import dev.dpo4j.api.template.PromptTemplate;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's custom-adapter example, run; in a package of its own, so it needs the imports the README shows
 * (examples' ReadmeTest compiles the block itself as shown).
 */
class ReadmeExampleTest {
    @TempDir Path dir;

    @Test
    void customAdapter() {
        Path file = JsonlFixtures.write(dir.resolve("my.jsonl"),
                List.of(Map.of("instruction", "Say hi", "good", "Hi!", "bad", "Go away.")));
        // --- README snippet ---
        DatasetAdapter mine = row -> List.of(PreferenceExample.of(
                row.string("instruction"), row.string("good"), row.string("bad")));
        PreferenceDataset data = PreferenceDatasets.load(mine, List.of(file), LoadOptions.lenientDefaults());
        PromptTemplate template = PromptTemplate.chatMl();
        for (PreferenceExample ex : data) {
            String prompt = template.renderPrompt(ex.prompt());
            String chosen = template.renderCompletion(ex.chosen());
            assertThat(prompt + chosen).isEqualTo(
                    "<|im_start|>user\nSay hi<|im_end|>\n<|im_start|>assistant\nHi!<|im_end|>");
        }
        System.out.println(data.skipReport().summary());
        // --- end ---
        assertThat(data.skipReport().examples()).isEqualTo(1);
    }
}
