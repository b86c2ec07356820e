package dev.dpo4j.cli.launch;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The ranks one launcher starts: {@code nprocPerNode} on node {@code nodeRank} of {@code nnodes}, meeting at
 * {@code masterAddr:masterPort}.
 *
 * @param nprocPerNode ranks on this node (LOCAL_WORLD_SIZE)
 * @param nnodes nodes of the run
 * @param nodeRank this node's index (GROUP_RANK)
 * @param masterAddr the address of rank 0's node
 * @param masterPort the port rank 0 listens on
 */
public record LaunchPlan(int nprocPerNode, int nnodes, int nodeRank, String masterAddr, int masterPort) {

    /** The variables torchrun, Slurm jobs or Kubernetes set for a rank: with one set, this process is a rank. */
    public static final List<String> RANK_VARIABLES = List.of("RANK", "WORLD_SIZE");

    /** Checks the ranges (the options checked them already for the command line). */
    public LaunchPlan {
        if (nprocPerNode < 1 || nnodes < 1 || nodeRank < 0 || nodeRank >= nnodes || masterPort < 1
                || masterPort > 65535 || masterAddr == null || masterAddr.isBlank()) {
            throw new IllegalArgumentException("not a launch: nproc_per_node " + nprocPerNode + ", nnodes " + nnodes
                    + ", node_rank " + nodeRank + ", master " + masterAddr + ":" + masterPort);
        }
    }

    /**
     * The plan of the options, or none when they do not launch: the command then trains in this process, as the
     * rank the environment names if it names one.
     *
     * @throws IllegalArgumentException when they launch while the environment already names this process's rank
     */
    public static Optional<LaunchPlan> of(LaunchOptions options, Map<String, String> environment) {
        if (!options.launches()) {
            return Optional.empty();
        }
        for (String variable : RANK_VARIABLES) {
            if (environment.containsKey(variable)) {
                throw new IllegalArgumentException("--nproc_per_node with " + variable + "=" + environment.get(variable)
                        + " already set: this process is a rank of a run another launcher started (torchrun, Slurm, "
                        + "Kubernetes); leave out the launcher flags, or unset " + String.join(" and ",
                        RANK_VARIABLES));
            }
        }
        return Optional.of(new LaunchPlan(options.nprocPerNode(), orElse(options.nnodes(), 1),
                orElse(options.nodeRank(), 0), options.masterAddr() != null ? options.masterAddr()
                        : LaunchOptions.DEFAULT_MASTER_ADDR,
                orElse(options.masterPort(), LaunchOptions.DEFAULT_MASTER_PORT)));
    }

    /** Ranks of the whole run: nnodes x nproc_per_node. */
    public int worldSize() {
        return nnodes * nprocPerNode;
    }

    /** The global rank of this node's {@code localRank}. */
    public int rank(int localRank) {
        return nodeRank * nprocPerNode + localRank;
    }

    private static int orElse(Integer value, int fallback) {
        return value != null ? value : fallback;
    }
}
