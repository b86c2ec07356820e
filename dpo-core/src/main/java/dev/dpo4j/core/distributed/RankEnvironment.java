package dev.dpo4j.core.distributed;

import java.util.Map;
import java.util.Optional;

/**
 * Who this process is in a run of several, as torchrun, the {@code dpo} launcher, Slurm or Kubernetes tell it through
 * the variables {@code RANK}, {@code WORLD_SIZE}, {@code LOCAL_RANK}, {@code LOCAL_WORLD_SIZE}, {@code MASTER_ADDR}
 * and {@code MASTER_PORT}.
 *
 * @param rank this process's rank, 0 to {@code worldSize - 1}
 * @param worldSize the number of ranks
 * @param localRank its rank among those of its host (the device index it drives)
 * @param localWorldSize the number of ranks on its host
 * @param masterAddress where rank 0 listens for the rendezvous
 * @param masterPort the rendezvous port
 */
public record RankEnvironment(int rank, int worldSize, int localRank, int localWorldSize, String masterAddress,
        int masterPort) {

    /** The rendezvous address of a single process, and of ranks that name none: the loopback interface. */
    public static final String LOOPBACK = "127.0.0.1";

    /** PyTorch's default rendezvous port, used by a single process that names none. */
    public static final int DEFAULT_PORT = 29500;

    /** Checks that the ranks lie within their world sizes and that the port is a TCP port. */
    public RankEnvironment {
        if (worldSize < 1) {
            throw new IllegalArgumentException("worldSize must be at least 1, got " + worldSize);
        }
        if (rank < 0 || rank >= worldSize) {
            throw new IllegalArgumentException("rank must be 0 to " + (worldSize - 1) + ", got " + rank);
        }
        if (localWorldSize < 1 || localWorldSize > worldSize) {
            throw new IllegalArgumentException("localWorldSize must be 1 to " + worldSize + ", got " + localWorldSize);
        }
        if (localRank < 0 || localRank >= localWorldSize) {
            throw new IllegalArgumentException("localRank must be 0 to " + (localWorldSize - 1) + ", got "
                    + localRank);
        }
        if (masterAddress == null || masterAddress.isBlank()) {
            throw new IllegalArgumentException("masterAddress is empty");
        }
        if (masterPort < 1 || masterPort > 65_535) {
            throw new IllegalArgumentException("masterPort must be 1 to 65535, got " + masterPort);
        }
    }

    /** A process that runs alone: rank 0 of 1. */
    public static RankEnvironment single() {
        return new RankEnvironment(0, 1, 0, 1, LOOPBACK, DEFAULT_PORT);
    }

    /** Rank {@code rank} of {@code worldSize} ranks on this host (threads or processes) that meet at 127.0.0.1. */
    public static RankEnvironment loopback(int rank, int worldSize, int port) {
        return new RankEnvironment(rank, worldSize, rank, worldSize, LOOPBACK, port);
    }

    /** Whether this process runs alone. */
    public boolean isSingle() {
        return worldSize == 1;
    }

    /**
     * The rank that the variables of {@code environment} (such as {@link System#getenv()}) describe, or empty when
     * neither {@code RANK} nor {@code WORLD_SIZE} is set (a single process). As with torchrun's standalone mode, a
     * missing {@code LOCAL_RANK} is {@code RANK} and a missing {@code LOCAL_WORLD_SIZE} is {@code WORLD_SIZE} (all
     * ranks on one host); {@code MASTER_ADDR} and {@code MASTER_PORT} are required once {@code WORLD_SIZE} exceeds 1.
     *
     * @throws IllegalArgumentException naming the variable that is missing, not an integer or out of range
     */
    public static Optional<RankEnvironment> fromEnvironment(Map<String, String> environment) {
        return new EnvironmentReader(environment).read();
    }
}
