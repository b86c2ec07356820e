package dev.dpo4j.collectives;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.dpo4j.core.distributed.Collectives;
import dev.dpo4j.core.distributed.RankEnvironment;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Not a test: times Gloo's all-reduce, reduce-scatter and all-gather on float32 buffers of 1, 16 and 64 MB between
 * two ranks in two JVMs on 127.0.0.1 (this one, rank 0, starts rank 1) and prints a table of rank 0's times, median
 * (min-max) of {@code REPEATS} calls after two warm-up calls. Run with the test class path:
 * {@code java -cp <test classpath> dev.dpo4j.collectives.CollectivesBandwidth [REPEATS]}.
 */
public final class CollectivesBandwidth {

    private static final int[] MEGABYTES = {1, 16, 64};
    private static final int WARMUP = 2;

    private CollectivesBandwidth() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        int repeats = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        boolean child = args.length > 2;
        int port = child ? Integer.parseInt(args[1]) : LoopbackRanks.freePort();
        int rank = child ? Integer.parseInt(args[2]) : 0;
        Process other = null;
        if (!child) {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            other = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                    "-Dai.djl.offline=true", CollectivesBandwidth.class.getName(), String.valueOf(repeats),
                    String.valueOf(port), "1")).inheritIO().start();
        }
        try (NDManager manager = NDManager.newBaseManager(Device.cpu());
                Collectives group = Collectives.connect(RankEnvironment.loopback(rank, 2, port), Device.cpu(),
                        Duration.ofSeconds(60))) {
            if (rank == 0) {
                System.out.println("| size (fp32) | all_reduce | reduce_scatter | all_gather |");
                System.out.println("|---|---|---|---|");
            }
            for (int megabytes : MEGABYTES) {
                long elements = megabytes * (1L << 20) / Float.BYTES;
                NDArray full = manager.ones(new Shape(elements));
                NDArray shard = manager.ones(new Shape(elements / 2));
                String reduce = time(group, repeats, () -> group.allReduceSum(full));
                String scatter = time(group, repeats, () -> group.reduceScatterSum(full, shard));
                String gather = time(group, repeats, () -> group.allGather(shard, full));
                if (rank == 0) {
                    System.out.println("| " + megabytes + " MB | " + reduce + " | " + scatter + " | " + gather + " |");
                }
                full.close();
                shard.close();
            }
        }
        if (other != null) {
            other.waitFor();
        }
    }

    private static String time(Collectives group, int repeats, Runnable call) {
        double[] millis = new double[repeats];
        for (int i = -WARMUP; i < repeats; i++) {
            group.barrier();
            long start = System.nanoTime();
            call.run();
            if (i >= 0) {
                millis[i] = (System.nanoTime() - start) / 1e6;
            }
        }
        Arrays.sort(millis);
        return String.format(Locale.ROOT, "%.2f ms (%.2f-%.2f)", millis[repeats / 2], millis[0],
                millis[repeats - 1]);
    }
}
