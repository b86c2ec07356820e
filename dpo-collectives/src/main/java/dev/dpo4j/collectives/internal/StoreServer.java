package dev.dpo4j.collectives.internal;

import dev.dpo4j.core.distributed.CollectivesException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The rendezvous key-value store that rank 0 serves: keys are set once, and {@code get}/{@code wait} block until
 * they are set or a deadline passes. One daemon thread per connected rank; {@link #close()} ends them all.
 */
public final class StoreServer implements AutoCloseable {

    static final byte SET = 1;
    static final byte GET = 2;
    static final byte WAIT = 3;
    static final byte OK = 0;
    static final byte TIMED_OUT = 1;

    private final ServerSocket socket;
    private final Map<String, byte[]> values = new HashMap<>();
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();

    private StoreServer(ServerSocket socket) {
        this.socket = socket;
        Thread acceptor = new Thread(this::accept, "dpo4j-store-" + socket.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /**
     * Serves on {@code port} of every interface ({@code 0}: a free one).
     *
     * @throws CollectivesException when the port is taken
     */
    public static StoreServer serve(int port) {
        try {
            ServerSocket socket = new ServerSocket();
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(port), 128);
            return new StoreServer(socket);
        } catch (IOException e) {
            throw new CollectivesException("rank 0 cannot serve the rendezvous on port " + port + " (MASTER_PORT): "
                    + e.getMessage(), e);
        }
    }

    /** The port it listens on. */
    public int port() {
        return socket.getLocalPort();
    }

    private void accept() {
        while (!socket.isClosed()) {
            try {
                Socket connection = socket.accept();
                connection.setTcpNoDelay(true);
                connections.add(connection);
                Thread serving = new Thread(() -> serve(connection), "dpo4j-store-rank");
                serving.setDaemon(true);
                serving.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket connection) {
        try (connection;
                DataInputStream in = new DataInputStream(new BufferedInputStream(connection.getInputStream()));
                DataOutputStream out = new DataOutputStream(new BufferedOutputStream(connection.getOutputStream()))) {
            while (true) {
                answer(in.readByte(), in, out);
                out.flush();
            }
        } catch (EOFException | SocketException e) {
            // the rank left or the server closed
        } catch (IOException | InterruptedException e) {
            // a broken connection: the rank sees it as one
        } finally {
            connections.remove(connection);
        }
    }

    private void answer(byte request, DataInputStream in, DataOutputStream out)
            throws IOException, InterruptedException {
        switch (request) {
            case SET -> {
                String key = in.readUTF();
                byte[] value = in.readNBytes(in.readInt());
                synchronized (values) {
                    values.put(key, value);
                    values.notifyAll();
                }
                out.writeByte(OK);
            }
            case GET -> {
                String key = in.readUTF();
                List<String> missing = await(List.of(key), in.readLong());
                if (missing.isEmpty()) {
                    byte[] value;
                    synchronized (values) {
                        value = values.get(key);
                    }
                    out.writeByte(OK);
                    out.writeInt(value.length);
                    out.write(value);
                } else {
                    out.writeByte(TIMED_OUT);
                }
            }
            case WAIT -> {
                List<String> keys = new ArrayList<>();
                for (int i = in.readInt(); i > 0; i--) {
                    keys.add(in.readUTF());
                }
                List<String> missing = await(keys, in.readLong());
                out.writeByte(missing.isEmpty() ? OK : TIMED_OUT);
                out.writeInt(missing.size());
                for (String key : missing) {
                    out.writeUTF(key);
                }
            }
            default -> throw new IOException("unknown request " + request);
        }
    }

    /** The keys of {@code keys} that are still unset after waiting up to {@code millis}. */
    private List<String> await(List<String> keys, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        synchronized (values) {
            while (true) {
                List<String> missing = keys.stream().filter(k -> !values.containsKey(k)).toList();
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (missing.isEmpty() || left <= 0) {
                    return missing;
                }
                values.wait(left);
            }
        }
    }

    /** Stops serving and drops every connection. */
    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
        for (Socket connection : connections) {
            try {
                connection.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
