package dev.dpo4j.hub.datasets;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The one definition of data-file extensions and split words. */
class DataFileNamesTest {

    @Test
    void formatsByExtensionWithGzipForJsonOnly() {
        assertThat(DataFileFormat.detect("data/train-00000-of-00001.parquet")).contains(DataFileFormat.PARQUET);
        assertThat(DataFileFormat.detect("x.JSONL")).contains(DataFileFormat.JSON_LINES);
        assertThat(DataFileFormat.detect("x.ndjson.gz")).contains(DataFileFormat.JSON_LINES);
        assertThat(DataFileFormat.detect("x.json.gz")).contains(DataFileFormat.JSON);
        assertThat(DataFileFormat.detect("x.parquet.gz")).as("Parquet is never gzipped").isEmpty();
        assertThat(DataFileFormat.detect("x.csv")).isEmpty();
        assertThat(DataFileFormat.stem("Train_Prefs-00000-of-00002.jsonl.gz")).isEqualTo("train_prefs-00000-of-00002");
        assertThat(DataFileFormat.namedLikeDataFile("org/rows.jsonl")).isTrue();
        assertThat(DataFileFormat.namedLikeDataFile("org/rows.tar.gz")).isTrue();
        assertThat(DataFileFormat.namedLikeDataFile("Intel/orca_dpo_pairs")).isFalse();
    }

    @Test
    void splitWordsAreWholeWords() {
        assertThat(SplitNames.hasTrainWord("train_prefs")).isTrue();
        assertThat(SplitNames.hasTrainWord("my-training-set")).isTrue();
        assertThat(SplitNames.hasTrainWord("constrained")).isFalse();
        assertThat(SplitNames.hasEvalWord("test_prefs")).isTrue();
        assertThat(SplitNames.hasEvalWord("testing")).isTrue();
        assertThat(SplitNames.hasEvalWord("dev")).isTrue();
        assertThat(SplitNames.hasEvalWord("contest")).isFalse();
        assertThat(SplitNames.hasEvalWord("device")).isFalse();
        assertThat(SplitNames.KEYWORDS.keySet()).containsExactly("train", "validation", "test");
        assertThat(SplitNames.KEYWORDS.values().stream().flatMap(List::stream).filter(w -> !w.startsWith("train")))
                .containsExactlyInAnyOrderElementsOf(SplitNames.EVAL_WORDS);
        assertThat(SplitNames.evalSplitFor("train_prefs", List.of("test_prefs", "validation_prefs")))
                .contains("test_prefs");
        assertThat(SplitNames.evalSplitFor("training", List.of("evaluation", "testing"))).contains("testing");
    }
}
