package dev.dpo4j.collectives.internal;

import dev.dpo4j.core.distributed.CollectivesException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** One rank's connection to the {@link StoreServer}: set, get and wait, each bounded by the timeout. */
public final class StoreClient implements AutoCloseable {

    private static final long RETRY_MILLIS = 50;
    /** How much longer than a wait the client reads before it calls the server gone. */
    private static final int READ_MARGIN_MILLIS = 5_000;

    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;
    private final String address;
    private final long timeoutMillis;

    private StoreClient(Socket socket, String address, long timeoutMillis) throws IOException {
        this.socket = socket;
        this.address = address;
        this.timeoutMillis = timeoutMillis;
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
        this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
    }

    /**
     * Connects to the store at {@code host:port}, retrying until {@code timeout} has passed.
     *
     * @throws CollectivesException when nothing serves there in time
     */
    public static StoreClient connect(String host, int port, Duration timeout) {
        String address = host + ":" + port;
        long deadline = System.nanoTime() + timeout.toNanos();
        IOException last;
        do {
            Socket socket = new Socket();
            try {
                long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
                socket.connect(new InetSocketAddress(host, port), (int) Math.min(left, Integer.MAX_VALUE));
                socket.setTcpNoDelay(true);
                socket.setSoTimeout((int) Math.min(timeout.toMillis() + READ_MARGIN_MILLIS, Integer.MAX_VALUE));
                return new StoreClient(socket, address, timeout.toMillis());
            } catch (IOException e) {
                last = e;
                close(socket);
                sleep();
            }
        } while (System.nanoTime() < deadline);
        throw new CollectivesException("rank 0 did not serve the rendezvous at " + address + " (MASTER_ADDR:"
                + "MASTER_PORT) within " + timeout.toMillis() + " ms: " + last.getMessage(), last);
    }

    /** Where the store is. */
    public String address() {
        return address;
    }

    /** Sets {@code key} to {@code value}. */
    public synchronized void set(String key, byte[] value) {
        try {
            out.writeByte(StoreServer.SET);
            out.writeUTF(key);
            out.writeInt(value.length);
            out.write(value);
            out.flush();
            expect(in.readByte(), key);
        } catch (IOException e) {
            throw gone(e);
        }
    }

    /** The value of {@code key}, once it is set. */
    public synchronized byte[] get(String key) {
        try {
            out.writeByte(StoreServer.GET);
            out.writeUTF(key);
            out.writeLong(timeoutMillis);
            out.flush();
            if (in.readByte() != StoreServer.OK) {
                throw new CollectivesException("rendezvous at " + address + ": key " + key + " was not set within "
                        + timeoutMillis + " ms");
            }
            return in.readNBytes(in.readInt());
        } catch (IOException e) {
            throw gone(e);
        }
    }

    /** Waits up to {@code millis} for {@code keys} to be set, and returns those that are still missing. */
    public synchronized List<String> await(List<String> keys, long millis) {
        try {
            out.writeByte(StoreServer.WAIT);
            out.writeInt(keys.size());
            for (String key : keys) {
                out.writeUTF(key);
            }
            out.writeLong(millis);
            out.flush();
            in.readByte();
            List<String> missing = new ArrayList<>();
            for (int i = in.readInt(); i > 0; i--) {
                missing.add(in.readUTF());
            }
            return missing;
        } catch (IOException e) {
            throw gone(e);
        }
    }

    private void expect(byte answer, String key) {
        if (answer != StoreServer.OK) {
            throw new CollectivesException("rendezvous at " + address + " refused key " + key);
        }
    }

    private CollectivesException gone(IOException e) {
        return new CollectivesException("the rendezvous store at " + address + " is gone (rank 0 left?): "
                + e.getMessage(), e);
    }

    @Override
    public void close() {
        close(socket);
    }

    private static void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(RETRY_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CollectivesException("interrupted while connecting to the rendezvous", e);
        }
    }
}
