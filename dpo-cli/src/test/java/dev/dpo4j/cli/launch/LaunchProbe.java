package dev.dpo4j.cli.launch;

import java.time.Duration;
import java.util.List;

/**
 * A launcher for the tests, in a JVM of its own: {@code nproc_per_node} {@link RankProbe} ranks with the given
 * arguments under a {@link Supervisor}, exiting with its code.
 */
public final class LaunchProbe {

    private LaunchProbe() {
    }

    /** {@code N arg...}: N ranks, each with the args. */
    public static void main(String[] args) {
        LaunchPlan plan = new LaunchPlan(Integer.parseInt(args[0]), 1, 0, "127.0.0.1", 29500);
        List<RankProcess> ranks = RankProcess.of(plan, SupervisorTest.probe(), List.of(args).subList(1, args.length),
                System.getenv());
        System.exit(new Supervisor(Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofSeconds(2))
                .run(ranks, System.out, System.err));
    }
}
