package dev.dpo4j.core.distributed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RankEnvironmentTest {

    private static Map<String, String> torchrun(String... pairs) {
        Map<String, String> env = new HashMap<>(Map.of("RANK", "1", "WORLD_SIZE", "4", "MASTER_ADDR", "10.0.0.5",
                "MASTER_PORT", "29501", "PATH", "/usr/bin"));
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i + 1] == null) {
                env.remove(pairs[i]);
            } else {
                env.put(pairs[i], pairs[i + 1]);
            }
        }
        return env;
    }

    @Test
    void noRankVariablesMeanASingleProcess() {
        assertThat(RankEnvironment.fromEnvironment(Map.of("PATH", "/usr/bin", "MASTER_PORT", "1"))).isEmpty();
    }

    @Test
    void readsTorchrunsVariables() {
        RankEnvironment rank = RankEnvironment.fromEnvironment(torchrun("LOCAL_RANK", "0", "LOCAL_WORLD_SIZE", "2"))
                .orElseThrow();
        assertThat(rank).isEqualTo(new RankEnvironment(1, 4, 0, 2, "10.0.0.5", 29501));
    }

    @Test
    void localRankDefaultsToRankOnOneHost() {
        RankEnvironment rank = RankEnvironment.fromEnvironment(torchrun()).orElseThrow();
        assertThat(rank.localRank()).isEqualTo(1);
        assertThat(rank.localWorldSize()).isEqualTo(4);
    }

    @Test
    void aWorldOfOneNeedsNoMaster() {
        RankEnvironment rank = RankEnvironment.fromEnvironment(Map.of("RANK", "0", "WORLD_SIZE", "1")).orElseThrow();
        assertThat(rank).isEqualTo(RankEnvironment.single());
        assertThat(rank.isSingle()).isTrue();
    }

    @Test
    void eachBadVariableIsNamed() {
        assertBad(torchrun("RANK", "one"), "RANK=one is not an integer");
        assertBad(torchrun("RANK", "4"), "RANK=4 is out of range: it must be 0 to 3 (below WORLD_SIZE)");
        assertBad(torchrun("RANK", "-1"), "RANK=-1 is out of range");
        assertBad(torchrun("WORLD_SIZE", "0"), "WORLD_SIZE=0 is out of range");
        assertBad(torchrun("WORLD_SIZE", null), "WORLD_SIZE is not set although RANK is");
        assertBad(torchrun("RANK", null), "RANK is not set although WORLD_SIZE is");
        assertBad(torchrun("MASTER_ADDR", null), "MASTER_ADDR is not set");
        assertBad(torchrun("MASTER_PORT", null), "MASTER_PORT is not set");
        assertBad(torchrun("MASTER_PORT", "70000"), "MASTER_PORT=70000 is out of range: it must be 1 to 65535");
        assertBad(torchrun("MASTER_PORT", "x1"), "MASTER_PORT=x1 is not an integer");
        assertBad(torchrun("LOCAL_RANK", "2", "LOCAL_WORLD_SIZE", "2"), "LOCAL_RANK=2 is out of range");
        assertBad(torchrun("LOCAL_WORLD_SIZE", "5"), "LOCAL_WORLD_SIZE=5 is out of range");
        assertBad(torchrun("LOCAL_WORLD_SIZE", "2"), "LOCAL_RANK is not set although LOCAL_WORLD_SIZE=2 is");
    }

    @Test
    void theRecordChecksItsFields() {
        assertThatThrownBy(() -> new RankEnvironment(2, 2, 0, 1, "h", 1)).hasMessageContaining("rank must be 0 to 1");
        assertThatThrownBy(() -> new RankEnvironment(0, 2, 0, 1, "h", 0)).hasMessageContaining("masterPort");
        assertThatThrownBy(() -> new RankEnvironment(0, 2, 1, 1, "h", 1)).hasMessageContaining("localRank");
    }

    private static void assertBad(Map<String, String> env, String message) {
        assertThatThrownBy(() -> RankEnvironment.fromEnvironment(env)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }
}
