package dev.dpo4j.collectives;

import dev.dpo4j.core.distributed.CollectivesException;
import dev.dpo4j.core.distributed.RankEnvironment;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.stream.IntStream;

/** The ranks of a group on this host (threads of one JVM, or processes) that meet at a free loopback port. */
public final class LoopbackRanks {

    private LoopbackRanks() {
    }

    /** Ranks 0 to {@code worldSize - 1}, meeting at 127.0.0.1 on a port that was free a moment ago. */
    public static List<RankEnvironment> of(int worldSize) {
        int port = freePort();
        return IntStream.range(0, worldSize).mapToObj(rank -> RankEnvironment.loopback(rank, worldSize, port))
                .toList();
    }

    /** A TCP port that nothing listened on when asked. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new CollectivesException("no free TCP port on 127.0.0.1: " + e.getMessage(), e);
        }
    }
}
