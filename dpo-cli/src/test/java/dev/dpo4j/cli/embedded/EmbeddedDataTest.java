package dev.dpo4j.cli.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dpo4j.api.data.PreferenceExample;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class EmbeddedDataTest {

    @Test
    void committedDatasetIsWhatTheGeneratorWrites() throws IOException {
        try (InputStream in = EmbeddedDataset.class.getResourceAsStream(EmbeddedDataset.RESOURCE)) {
            String committed = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(committed).isEqualTo(EmbeddedDatasetGenerator.toJsonLines(EmbeddedDatasetGenerator.generate()));
        }
    }

    @Test
    void datasetLoadsThroughTheGenericAdapter() {
        List<PreferenceExample> pairs = EmbeddedDataset.load();
        assertThat(pairs).hasSizeBetween(200, 400);
        assertThat(pairs).allSatisfy(p -> assertThat(p.chosen()).isNotEqualTo(p.rejected()));
    }

    @Test
    void modelConfigIsATinyQwen2() {
        assertThat(EmbeddedModel.config().modelType()).isEqualTo("qwen2");
        assertThat(EmbeddedModel.parameterCount(EmbeddedModel.config())).isBetween(50_000L, 200_000L);
    }
}
