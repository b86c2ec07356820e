package dev.dpo4j.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dpo4j.api.template.PromptTemplate;
import java.util.List;
import org.junit.jupiter.api.Test;

class NamedChoicesTest {

    private enum Color { DARK_RED, BLUE }

    @Test
    void normalizeIgnoresBlanksCaseDashesAndUnderscores() {
        assertThat(Names.normalize(" Sigmoid_Norm ")).isEqualTo("sigmoidnorm");
        assertThat(Names.normalize("sigmoid-norm")).isEqualTo(Names.normalize("SIGMOIDNORM"));
        assertThat(Names.normalize("llama-3")).isEqualTo("llama3");
        assertThat(Names.normalize("a b")).isEqualTo("a b");
    }

    @Test
    void enumChoicesAcceptEverySpellingOfTheRule() {
        NamedChoices<Color> colors = NamedChoices.ofEnum("color", Color.class);
        assertThat(colors.names()).containsExactly("dark_red", "blue");
        for (String spelling : List.of("dark_red", "DARK_RED", "dark-red", " Dark-Red\t", "darkred")) {
            assertThat(colors.get(spelling)).as(spelling).isEqualTo(Color.DARK_RED);
        }
    }

    @Test
    void unknownNamesFailNamingTheOptionAndListingTheChoices() {
        NamedChoices<Color> colors = NamedChoices.ofEnum("color", Color.class);
        assertThatThrownBy(() -> colors.get("green")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("color must be dark_red or blue, got 'green'");
        assertThatThrownBy(() -> colors.get(null)).hasMessage("color must be dark_red or blue, got 'null'");
        NamedChoices<Integer> three = NamedChoices.<Integer>builder("n").add("one", 1).add("two", 2, "deux")
                .add("three", 3).build();
        assertThat(three.get("Deux")).isEqualTo(2);
        assertThatThrownBy(() -> three.get("four")).hasMessage("n must be one, two or three, got 'four'");
    }

    @Test
    void namesThatNormalizeAlikeAreRefused() {
        NamedChoices.Builder<Integer> builder = NamedChoices.<Integer>builder("n").add("a_b", 1);
        assertThatThrownBy(() -> builder.add("A-B", 2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'A-B'");
    }

    @Test
    void promptTemplatesKeepTheirAliases() {
        assertThat(PromptTemplate.byName("Chat_ML")).isSameAs(PromptTemplate.chatMl());
        assertThat(PromptTemplate.byName("llama-3")).isSameAs(PromptTemplate.llama3());
        assertThat(PromptTemplate.byName("LLAMA2")).isInstanceOf(PromptTemplate.mistral().getClass());
        assertThat(PromptTemplate.byName("none")).isInstanceOf(PromptTemplate.plain().getClass());
        assertThatThrownBy(() -> PromptTemplate.byName("alpaca"))
                .hasMessage("prompt template must be chatml, llama3, zephyr, mistral, plain or trl, got 'alpaca'");
    }
}
