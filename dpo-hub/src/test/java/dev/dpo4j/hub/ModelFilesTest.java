package dev.dpo4j.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFilesTest {

    @TempDir
    Path tmp;

    Path index(String json) throws IOException {
        return Files.writeString(tmp.resolve(ModelFiles.WEIGHTS_INDEX), json);
    }

    @Test
    void shardsAreTheWeightMapValuesOnceSorted() throws IOException {
        Path index = index("{\"metadata\":{},\"weight_map\":{\"b\":\"model-00002-of-00002.safetensors\","
                + "\"a\":\"model-00001-of-00002.safetensors\",\"c\":\"model-00002-of-00002.safetensors\"}}");
        assertThat(ModelFiles.shards(index))
                .containsExactly("model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors");
    }

    @Test
    void badIndexesNameTheFileAndKey() throws IOException {
        assertThatThrownBy(() -> ModelFiles.shards(index("{\"metadata\":{}}")))
                .isInstanceOf(ModelFiles.InvalidIndexException.class)
                .hasMessageContaining(ModelFiles.WEIGHTS_INDEX).hasMessageContaining("missing key 'weight_map'");
        assertThatThrownBy(() -> ModelFiles.shards(index("{ not json")))
                .isInstanceOf(ModelFiles.InvalidIndexException.class).hasMessageContaining("weight_map");
        assertThatThrownBy(() -> ModelFiles.shards(index("{\"weight_map\":{\"x\":3}}")))
                .hasMessageContaining("'weight_map.x' is not a file name");
        assertThatThrownBy(() -> ModelFiles.shards(index("{\"weight_map\":{\"x\":\"../../etc/passwd\"}}")))
                .hasMessageContaining("'weight_map.x' names '../../etc/passwd'");
        assertThatThrownBy(() -> ModelFiles.shards(tmp.resolve("absent.json")))
                .isInstanceOf(ModelFiles.InvalidIndexException.class).hasMessageContaining("absent.json");
    }

    @Test
    void theChatTemplateFileIsFetchedAndCopied() throws IOException {
        assertThat(ModelFiles.HUB_OPTIONAL).contains(ModelFiles.CHAT_TEMPLATE);
        assertThat(ModelFiles.TOKENIZER_FILES).contains(ModelFiles.CHAT_TEMPLATE).containsAll(ModelFiles.HUB_OPTIONAL);
        assertThat(ModelFiles.chatTemplateFile(tmp)).isEmpty();
        Files.writeString(tmp.resolve("chat_template.jinja"), "{{ x }}");
        assertThat(ModelFiles.chatTemplateFile(tmp)).contains(tmp.resolve("chat_template.jinja"));
    }
}
