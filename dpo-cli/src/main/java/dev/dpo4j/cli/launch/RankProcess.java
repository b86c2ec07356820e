package dev.dpo4j.cli.launch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One rank to start: its command and the variables torchrun sets for it, added to the launcher's environment.
 *
 * @param rank the global rank (RANK)
 * @param localRank the rank on this node (LOCAL_RANK)
 * @param command the command line
 * @param environment the variables set for it, by name
 */
public record RankProcess(int rank, int localRank, List<String> command, Map<String, String> environment) {

    /** The role torchrun names its workers by default. */
    static final String ROLE_NAME = "default";

    /** Copies the command and the variables. */
    public RankProcess {
        command = List.copyOf(command);
        environment = Map.copyOf(environment);
    }

    /**
     * Every rank of {@code plan} on this node, local rank 0 first: {@code java} running {@code args}, each with
     * RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT and torchrun's GROUP_RANK,
     * GROUP_WORLD_SIZE, ROLE_RANK, ROLE_WORLD_SIZE and ROLE_NAME; and, as torchrun, OMP_NUM_THREADS=1 for several
     * ranks on a node unless the launcher's {@code environment} sets it.
     */
    public static List<RankProcess> of(LaunchPlan plan, JavaCommand java, List<String> args,
            Map<String, String> environment) {
        List<String> command = java.command(args);
        List<RankProcess> ranks = new ArrayList<>();
        for (int local = 0; local < plan.nprocPerNode(); local++) {
            int rank = plan.rank(local);
            Map<String, String> variables = new LinkedHashMap<>();
            variables.put("RANK", Integer.toString(rank));
            variables.put("WORLD_SIZE", Integer.toString(plan.worldSize()));
            variables.put("LOCAL_RANK", Integer.toString(local));
            variables.put("LOCAL_WORLD_SIZE", Integer.toString(plan.nprocPerNode()));
            variables.put("GROUP_RANK", Integer.toString(plan.nodeRank()));
            variables.put("GROUP_WORLD_SIZE", Integer.toString(plan.nnodes()));
            variables.put("ROLE_RANK", Integer.toString(rank));
            variables.put("ROLE_WORLD_SIZE", Integer.toString(plan.worldSize()));
            variables.put("ROLE_NAME", ROLE_NAME);
            variables.put("MASTER_ADDR", plan.masterAddr());
            variables.put("MASTER_PORT", Integer.toString(plan.masterPort()));
            if (plan.nprocPerNode() > 1 && !environment.containsKey("OMP_NUM_THREADS")) {
                variables.put("OMP_NUM_THREADS", "1");
            }
            ranks.add(new RankProcess(rank, local, command, variables));
        }
        return ranks;
    }

    /** A process builder for it: the command, the launcher's environment plus this rank's variables. */
    ProcessBuilder builder() {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(environment);
        return builder;
    }
}
