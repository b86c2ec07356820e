package dev.dpo4j.collectives;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dpo4j.core.distributed.CollectivesException;
import dev.dpo4j.core.distributed.RankEnvironment;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Ranks that never arrive make the others fail within the timeout, with the missing ranks and the address named. */
class RendezvousFailureTest {

    private static final Duration SHORT = Duration.ofMillis(1500);

    @Test
    void aRankThatNeverArrivesIsNamed() {
        ThreadRanks.assumeGloo();
        List<RankEnvironment> group = LoopbackRanks.of(3);
        long start = System.nanoTime();
        assertThatThrownBy(() -> ThreadRanks.run(group.subList(0, 2), SHORT, (c, m) -> null))
                .isInstanceOf(CollectivesException.class)
                .hasMessage("rendezvous at 127.0.0.1:" + group.get(0).masterPort() + ": rank [2] of 3 did not arrive "
                        + "within 1500 ms (this is rank 0)");
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(6_000);
    }

    @Test
    void withoutRankZeroNobodyServes() {
        ThreadRanks.assumeGloo();
        List<RankEnvironment> group = LoopbackRanks.of(3);
        assertThatThrownBy(() -> ThreadRanks.run(group.subList(1, 3), SHORT, (c, m) -> null))
                .isInstanceOf(CollectivesException.class)
                .hasMessageStartingWith("rank 0 did not serve the rendezvous at 127.0.0.1:" + group.get(0).masterPort()
                        + " (MASTER_ADDR:MASTER_PORT) within 1500 ms");
    }
}
