package dev.dpo4j.cli.launch;

import dev.dpo4j.api.options.Option;
import dev.dpo4j.api.options.OptionDeclaration;
import dev.dpo4j.api.options.OptionRecords;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The launcher's flags, named as torchrun's: with {@code --nproc_per_node} the command starts that many ranks on
 * this node instead of training itself. They are read from the command line only (a config file is read again by
 * every rank) and are not passed on to the ranks. Null: not given.
 *
 * @param nprocPerNode ranks to start on this node
 * @param nnodes nodes of the run
 * @param nodeRank this node's index
 * @param masterAddr the address of rank 0's node
 * @param masterPort the port rank 0 listens on
 */
public record LaunchOptions(
        @Option(doc = "Start this many ranks on this node (one per GPU), each a JVM of its own with torchrun's "
                + "variables (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, ...); the other flags go to every rank. "
                + "Command line only.", label = "N", min = 1, defaultDoc = "none: train in this process")
        Integer nprocPerNode,
        @Option(doc = "Nodes of the run, each started with the same flags and its own --node_rank; the world size "
                + "is nnodes x nproc_per_node.", label = "M", min = 1, defaultDoc = "1")
        Integer nnodes,
        @Option(doc = "This node's index, 0 to nnodes-1; its ranks are node_rank x nproc_per_node + 0, 1, ...",
                label = "R", min = 0, defaultDoc = "0")
        Integer nodeRank,
        @Option(doc = "Address of node 0, where rank 0 listens; needed with --nnodes above 1.", label = "ADDR",
                defaultDoc = "127.0.0.1")
        String masterAddr,
        @Option(doc = "Port rank 0 listens on.", label = "PORT", min = 1, max = 65535, defaultDoc = "29500")
        Integer masterPort) {

    /** torchrun's default master port. */
    public static final int DEFAULT_MASTER_PORT = 29500;
    /** The master address of a run on one node. */
    public static final String DEFAULT_MASTER_ADDR = "127.0.0.1";
    /** None given: no launch. */
    public static final LaunchOptions DEFAULTS = new LaunchOptions(null, null, null, null, null);

    /** Checks the ranges and the flags that go together; the error names the flag. */
    public LaunchOptions {
        OptionRecords.check(LaunchOptions.class, nprocPerNode, nnodes, nodeRank, masterAddr, masterPort)
                .require(nprocPerNode != null || nnodes == null && nodeRank == null && masterAddr == null
                        && masterPort == null, "--nnodes, --node_rank, --master_addr and --master_port go with "
                        + "--nproc_per_node")
                .require(nodeRank == null || nodeRank < (nnodes == null ? 1 : nnodes), "node_rank must be below "
                        + "nnodes (" + (nnodes == null ? 1 : nnodes) + "), got " + nodeRank)
                .require(nnodes == null || nnodes == 1 || masterAddr != null, "--nnodes " + nnodes
                        + " needs --master_addr, the address of node 0 (the same on every node)")
                .require(masterAddr == null || !masterAddr.isBlank(), "master_addr must not be blank")
                .throwIfAny();
    }

    /** Whether {@code --nproc_per_node} was given: the command launches ranks. */
    public boolean launches() {
        return nprocPerNode != null;
    }

    /** {@code args} without the launcher's flags and their values ({@code --flag value} or {@code --flag=value}). */
    public static List<String> withoutLauncherFlags(List<String> args) {
        Set<String> names = new HashSet<>();
        for (OptionDeclaration d : OptionRecords.flattened(LaunchOptions.class)) {
            for (String name : d.names()) {
                names.add("--" + name);
                names.add("--" + name.replace('_', '-'));
            }
        }
        List<String> kept = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            int equals = arg.indexOf('=');
            if (names.contains(equals < 0 ? arg : arg.substring(0, equals))) {
                i += equals < 0 ? 1 : 0; // its value
                continue;
            }
            kept.add(arg);
        }
        return kept;
    }
}
