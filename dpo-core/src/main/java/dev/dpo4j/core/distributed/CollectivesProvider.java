package dev.dpo4j.core.distributed;

import ai.djl.Device;
import java.time.Duration;

/**
 * A collective library that can join the ranks of a run, found through {@link java.util.ServiceLoader}: module
 * {@code dpo-collectives} registers Gloo (host memory) and NCCL (CUDA devices).
 */
public interface CollectivesProvider {

    /** The library's name, as options and messages spell it ({@code gloo}, {@code nccl}). */
    String name();

    /** Whether it moves arrays that live on {@code device}, and its native library loads here. */
    boolean supports(Device device);

    /**
     * Joins the group that {@code environment} describes, for arrays on {@code device}: meets the other ranks at
     * {@code MASTER_ADDR:MASTER_PORT} (rank 0 listens there) and connects to them.
     *
     * @param timeout how long the rendezvous and any later collective may wait for the other ranks
     * @throws CollectivesException when a rank does not arrive in time or the library fails
     */
    Collectives connect(RankEnvironment environment, Device device, Duration timeout);
}
