package dev.dpo4j.core.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.dpo4j.core.optim.OptimizerState;
import dev.dpo4j.core.optim.Shard;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The optimizer state of a checkpoint written by several ranks, as DeepSpeed's ZeRO writes it: each rank's part of
 * every flat moment in a file of its own, {@code zero_pp_rank_R_optim_states.safetensors}, with the rank, the number
 * of ranks and the optimizer's step count in its metadata. A run of any number of ranks (one included) reads back
 * the parts that overlap its own.
 */
public final class OptimizerShards {

    private static final String RANK = "rank";
    private static final String RANKS = "ranks";
    private static final String STEPS = "steps";

    private OptimizerShards() {
    }

    /** The file of rank {@code rank}'s part. */
    public static String fileName(int rank) {
        return "zero_pp_rank_" + rank + "_optim_states.safetensors";
    }

    /** Whether {@code folder} holds the parts of a sharded optimizer state (rank 0's at least). */
    public static boolean present(Path folder) {
        return Files.isRegularFile(folder.resolve(fileName(0)));
    }

    /** Writes {@code optimizer}'s part into {@code folder}, under its rank's file name. */
    public static void write(Path folder, OptimizerState optimizer) throws IOException {
        Shard shard = optimizer.shard();
        Safetensors.write(folder.resolve(fileName(shard.rank())), optimizer.state(), Map.of(RANK,
                String.valueOf(shard.rank()), RANKS, String.valueOf(shard.ranks()), STEPS,
                String.valueOf(optimizer.steps())));
    }

    /**
     * Checks, from the headers alone, that {@code folder} holds every rank's part of exactly {@code optimizer}'s
     * flat moments, written by the same number of ranks at the same step count, and returns that count.
     *
     * @throws CheckpointException naming the file and what is wrong
     */
    public static long check(Path folder, OptimizerState optimizer, long globalStep) {
        Path first = folder.resolve(fileName(0));
        int ranks = integer(first, RANKS, Safetensors.header(first).metadata());
        long steps = TrainingCheckpoint.optimizerSteps(first, globalStep);
        for (int rank = 0; rank < ranks; rank++) {
            Path file = folder.resolve(fileName(rank));
            if (!Files.isRegularFile(file)) {
                throw new CheckpointException(file + ": missing; the checkpoint was written by " + ranks + " ranks");
            }
            Safetensors.Header header = Safetensors.header(file);
            if (integer(file, RANKS, header.metadata()) != ranks || integer(file, RANK, header.metadata()) != rank
                    || TrainingCheckpoint.optimizerSteps(file, globalStep) != steps) {
                throw new CheckpointException(file + ": metadata " + header.metadata() + " does not match rank "
                        + rank + " of " + ranks + " at " + steps + " optimizer steps");
            }
            checkParts(file, header, optimizer.wholeLengths(), new Shard(rank, ranks));
        }
        return steps;
    }

    private static void checkParts(Path file, Safetensors.Header header, Map<String, Long> lengths, Shard shard) {
        for (Map.Entry<String, Long> entry : lengths.entrySet()) {
            Safetensors.TensorInfo saved = header.tensors().get(entry.getKey());
            Shape part = new Shape(shard.partLength(entry.getValue()));
            if (saved == null || !saved.shape().equals(part) || saved.type() != SafetensorsType.F32) {
                throw new CheckpointException(file + ": tensor '" + entry.getKey() + "' is "
                        + (saved == null ? "missing" : saved.dtype() + " " + saved.shape())
                        + " where this run's part of it is F32 " + part + " (" + shard.ranks() + " ranks)");
            }
        }
        for (String name : header.tensors().keySet()) {
            if (!lengths.containsKey(name)) {
                throw new CheckpointException(file + ": unexpected tensor '" + name + "'");
            }
        }
    }

    /**
     * Restores, after {@link #check}, the parts of every rank's file that overlap {@code optimizer}'s own part, one
     * file in memory at a time, and the step count.
     */
    public static void restore(Path folder, OptimizerState optimizer, long steps, NDManager manager) {
        Path first = folder.resolve(fileName(0));
        int ranks = integer(first, RANKS, Safetensors.header(first).metadata());
        Map<String, Long> lengths = optimizer.wholeLengths();
        for (int rank = 0; rank < ranks; rank++) {
            Path file = folder.resolve(fileName(rank));
            Shard saved = new Shard(rank, ranks);
            if (!overlaps(saved, optimizer.shard(), lengths)) {
                continue;
            }
            try (NDManager scratch = manager.newSubManager()) {
                Map<String, NDArray> parts = Safetensors.read(file, scratch, DataType.FLOAT32);
                for (Map.Entry<String, Long> entry : lengths.entrySet()) {
                    long partLength = saved.partLength(entry.getValue());
                    long offset = rank * partLength;
                    long kept = Math.max(0, Math.min(partLength, entry.getValue() - offset)); // the last part's padding
                    if (kept > 0) {
                        NDArray values = parts.get(entry.getKey()).get("0:{}", kept);
                        values.attach(scratch);
                        optimizer.restorePart(entry.getKey(), offset, values, steps);
                    }
                }
            } catch (IllegalArgumentException e) {
                throw new CheckpointException(file + ": " + e.getMessage(), e);
            }
        }
    }

    /** Whether a saved part shares elements with this run's part of some moment. */
    private static boolean overlaps(Shard saved, Shard own, Map<String, Long> lengths) {
        for (long length : lengths.values()) {
            long savedPart = saved.partLength(length);
            long ownPart = own.partLength(length);
            if (saved.rank() * savedPart < (own.rank() + 1) * ownPart
                    && own.rank() * ownPart < (saved.rank() + 1) * savedPart) {
                return true;
            }
        }
        return false;
    }

    private static int integer(Path file, String key, Map<String, String> metadata) {
        String value = metadata.get(key);
        try {
            return Integer.parseInt(value == null ? "" : value.strip());
        } catch (NumberFormatException e) {
            throw new CheckpointException(file + ": metadata '" + key + "' is " + (value == null ? "missing"
                    : "'" + value + "'") + ", but a rank's optimizer part needs it");
        }
    }
}
