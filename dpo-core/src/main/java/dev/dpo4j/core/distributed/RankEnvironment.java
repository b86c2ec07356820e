package dev.dpo4j.core.distributed;

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
}
