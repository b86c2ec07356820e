package dev.dpo4j.cli.plot;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ChartSupportTest {

    @Test
    void drawsWhereTheRuntimeHasJavaDesktopOnly() {
        assertThat(ChartSupport.available()).as("the JDK that runs the tests has java.desktop").isTrue();
        assertThat(ChartSupport.available(ModuleLayer.empty())).as("a layer without it").isFalse();
    }
}
