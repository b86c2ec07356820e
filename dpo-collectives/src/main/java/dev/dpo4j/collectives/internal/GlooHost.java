package dev.dpo4j.collectives.internal;

import dev.dpo4j.core.distributed.CollectivesException;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The address that Gloo's TCP device listens on: the loopback when the ranks meet at a loopback address, else this
 * host's address on the interface that routes to {@code MASTER_ADDR}; the property {@value #PROPERTY} overrides it.
 */
final class GlooHost {

    /** The system property that names the address (or host name) to listen on. */
    static final String PROPERTY = "dpo4j.gloo.hostname";

    private GlooHost() {
    }

    static String forMaster(String masterAddress, int masterPort) {
        String configured = System.getProperty(PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        try {
            InetAddress master = InetAddress.getByName(masterAddress);
            if (master.isLoopbackAddress()) {
                return master.getHostAddress();
            }
            // a UDP "connection" sends nothing: it only asks the kernel which local address routes there
            try (DatagramSocket probe = new DatagramSocket()) {
                probe.connect(new InetSocketAddress(master, masterPort));
                return probe.getLocalAddress().getHostAddress();
            }
        } catch (IOException e) {
            throw new CollectivesException("cannot find this host's address towards MASTER_ADDR=" + masterAddress
                    + ": " + e.getMessage() + "; set -D" + PROPERTY + "=ADDRESS", e);
        }
    }
}
