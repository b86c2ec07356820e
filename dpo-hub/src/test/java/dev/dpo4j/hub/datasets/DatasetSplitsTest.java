package dev.dpo4j.hub.datasets;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DatasetSplitsTest {

    @Test
    void shardedNamesGiveAnySplit() {
        Map<String, List<String>> s = DatasetSplits.infer(List.of("README.md", ".gitattributes",
                "data/train_prefs-00000-of-00001-17309c769bfe5733.parquet",
                "data/test_prefs-00000-of-00001-3c5ea3d4d2b5bfd3.parquet",
                "data/train_sft-00000-of-00001.parquet", "data/test_sft-00000-of-00001.parquet"));
        assertThat(s.keySet()).containsExactly("test_prefs", "test_sft", "train_prefs", "train_sft");
        assertThat(s.get("train_prefs")).containsExactly("data/train_prefs-00000-of-00001-17309c769bfe5733.parquet");
        assertThat(DatasetSplits.evalSplitFor("train_prefs", s.keySet())).contains("test_prefs");
        assertThat(DatasetSplits.evalSplitFor("train_sft", s.keySet())).contains("test_sft");
    }

    @Test
    void keywordsInFoldersThenFileNamesThenEverythingIsTrain() {
        assertThat(DatasetSplits.infer(List.of("train/0.jsonl", "train/1.jsonl", "dev/0.jsonl")))
                .containsExactly(Map.entry("train", List.of("train/0.jsonl", "train/1.jsonl")),
                        Map.entry("validation", List.of("dev/0.jsonl")));
        assertThat(DatasetSplits.infer(List.of("prefs_train.jsonl.gz", "prefs_test.jsonl.gz", "notes.txt")))
                .containsExactly(Map.entry("train", List.of("prefs_train.jsonl.gz")),
                        Map.entry("test", List.of("prefs_test.jsonl.gz")));
        assertThat(DatasetSplits.infer(List.of("orca_rlhf.jsonl", "README.md")))
                .containsExactly(Map.entry("train", List.of("orca_rlhf.jsonl")));
        assertThat(DatasetSplits.infer(List.of("contest.json"))).containsOnlyKeys("train"); // "test" inside a word
        assertThat(DatasetSplits.evalSplitFor("train", List.of("train", "validation"))).contains("validation");
        assertThat(DatasetSplits.evalSplitFor("train", List.of("train"))).isEmpty();
    }

    @Test
    void parquetConversionLayout() {
        assertThat(DatasetSplits.inferConverted(List.of("default/train/0000.parquet", "default/train/0001.parquet",
                "default/partial-test/0000.parquet", "other/train/0000.parquet", ".gitattributes")))
                .containsExactly(Map.entry("train", List.of("default/train/0000.parquet", "default/train/0001.parquet")),
                        Map.entry("test", List.of("default/partial-test/0000.parquet")));
        assertThat(DatasetSplits.inferConverted(List.of("plain_text/imdb-train.parquet")))
                .containsOnlyKeys("train");
    }
}
