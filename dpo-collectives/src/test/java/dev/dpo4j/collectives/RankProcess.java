package dev.dpo4j.collectives;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.dpo4j.core.distributed.Collectives;
import dev.dpo4j.core.distributed.RankEnvironment;
import java.time.Duration;
import java.util.Arrays;

/**
 * A rank in a JVM of its own, for {@link GlooProcessesTest}: {@code PORT RANK WORLD_SIZE MODE TIMEOUT_MS}. It joins
 * through {@link Collectives#connect} (the provider service), all-reduces {@code [rank + 1, 5]} and prints the sum;
 * mode {@code exit} then leaves the group and exits 0, mode {@code die} halts at once with status 7.
 */
public final class RankProcess {

    private RankProcess() {
    }

    public static void main(String[] args) {
        RankEnvironment rank = RankEnvironment.loopback(Integer.parseInt(args[1]), Integer.parseInt(args[2]),
                Integer.parseInt(args[0]));
        try (NDManager manager = NDManager.newBaseManager(Device.cpu());
                Collectives collectives = Collectives.connect(rank, Device.cpu(),
                        Duration.ofMillis(Long.parseLong(args[4])))) {
            NDArray x = manager.create(new float[] {rank.rank() + 1, 5});
            collectives.allReduceSum(x);
            System.out.println("sum " + Arrays.toString(x.toFloatArray()));
            System.out.flush();
            if (args[3].equals("die")) {
                Runtime.getRuntime().halt(7);
            }
        }
        System.exit(0);
    }
}
