package dev.dpo4j.cli.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What the console shows of the ranks' output. */
class OutputRelayTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final OutputRelay relay = new OutputRelay(new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8), Long.MAX_VALUE / 4, 0);

    private void write(int rank, boolean error, String text) {
        new RankStream(rank, error, relay).copy(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void rank0PassesThroughAndOthersShowOnlyWhatDiffers() {
        write(0, false, "loading\nstep 1: loss 0.69\n");
        write(0, true, "warning: slow\n");
        write(1, false, "loading\nstep 1: loss 0.70\n");
        write(1, true, "warning: slow\nkeine Daten für Rang 1\n");
        relay.finish();

        assertThat(out()).isEqualTo("loading\nstep 1: loss 0.69\n");
        assertThat(err()).isEqualTo("warning: slow\n[rank 1] step 1: loss 0.70\n[rank 1] keine Daten für Rang 1\n");
    }

    @Test
    void aLineOfAnotherRankWaitsForRank0ToPrintItToo() {
        // rank 1 is ahead: its lines wait (the hold is long) until rank 0 prints the same or ends
        new RankStream(1, false, relay).copy(new ByteArrayInputStream("ready\nrank 1 only\n".getBytes(
                StandardCharsets.UTF_8)));
        relay.showDue();
        assertThat(err()).isEmpty();

        RankStream rank0 = new RankStream(0, false, relay);
        rank0.copy(new ByteArrayInputStream("ready\n".getBytes(StandardCharsets.UTF_8)));
        assertThat(err()).isEmpty();
        write(0, true, "");
        // both of rank 0's streams ended: nothing can match any more
        assertThat(out()).isEqualTo("ready\n");
        assertThat(err()).isEqualTo("[rank 1] rank 1 only\n");
    }

    @Test
    void carriageReturnsKeepTheLastStateAndAShownLineStartsBelowRank0sBar() {
        write(0, true, "dpo 10% |#   |\rdpo 20% |##  |");
        write(1, true, "dpo 10% |#   |\rdpo 20% |##  | rank 1\r\ndone\r\n");
        relay.finish();

        assertThat(err()).isEqualTo("dpo 10% |#   |\rdpo 20% |##  |\n[rank 1] dpo 20% |##  | rank 1\n[rank 1] done\n");
    }

    @Test
    void linesHeldLongerThanTheHoldAreShownWhileRank0Runs() {
        OutputRelay quick = new OutputRelay(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), 0, 0);
        new RankStream(2, false, quick).copy(new ByteArrayInputStream("late\n".getBytes(StandardCharsets.UTF_8)));
        quick.showDue();
        assertThat(err()).isEqualTo("[rank 2] late\n");
        quick.note("dpo: rank 2 exited with code 1");
        assertThat(err()).endsWith("\ndpo: rank 2 exited with code 1\n");
    }
}
