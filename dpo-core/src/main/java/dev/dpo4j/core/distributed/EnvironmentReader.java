package dev.dpo4j.core.distributed;

import java.util.Map;
import java.util.Optional;

/** Reads and checks torchrun's variables for {@link RankEnvironment#fromEnvironment}, naming the variable at fault. */
final class EnvironmentReader {

    private final Map<String, String> environment;

    EnvironmentReader(Map<String, String> environment) {
        this.environment = environment;
    }

    Optional<RankEnvironment> read() {
        if (value("RANK") == null && value("WORLD_SIZE") == null) {
            return Optional.empty();
        }
        int worldSize = required("WORLD_SIZE", "RANK", 1, Integer.MAX_VALUE);
        int rank = required("RANK", "WORLD_SIZE", 0, worldSize - 1);
        int localWorldSize = optional("LOCAL_WORLD_SIZE", worldSize, 1, worldSize);
        int localRank = optional("LOCAL_RANK", value("LOCAL_WORLD_SIZE") == null ? rank : -1, 0, localWorldSize - 1);
        if (localRank == -1) {
            throw new IllegalArgumentException("LOCAL_RANK is not set although LOCAL_WORLD_SIZE=" + localWorldSize
                    + " is: set both, or neither when all ranks run on one host");
        }
        String address = value("MASTER_ADDR");
        if (address == null) {
            if (worldSize > 1) {
                throw new IllegalArgumentException("MASTER_ADDR is not set: " + worldSize
                        + " ranks need the address where rank 0 listens for the rendezvous");
            }
            address = RankEnvironment.LOOPBACK;
        }
        int port = worldSize > 1 ? required("MASTER_PORT", "WORLD_SIZE", 1, 65_535)
                : optional("MASTER_PORT", RankEnvironment.DEFAULT_PORT, 1, 65_535);
        return Optional.of(new RankEnvironment(rank, worldSize, localRank, localWorldSize, address, port));
    }

    private String value(String name) {
        String value = environment.get(name);
        return value == null || value.isBlank() ? null : value.trim();
    }

    private int required(String name, String because, int min, int max) {
        if (value(name) == null) {
            throw new IllegalArgumentException(name + " is not set although " + because + " is: a rank needs "
                    + "RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT");
        }
        return parse(name, min, max);
    }

    private int optional(String name, int fallback, int min, int max) {
        return value(name) == null ? fallback : parse(name, min, max);
    }

    private int parse(String name, int min, int max) {
        int parsed;
        try {
            parsed = Integer.parseInt(value(name));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + "=" + environment.get(name) + " is not an integer", e);
        }
        if (parsed < min || parsed > max) {
            throw new IllegalArgumentException(name + "=" + parsed + " is out of range: it must be " + min + " to "
                    + max + describe(name));
        }
        return parsed;
    }

    private String describe(String name) {
        return switch (name) {
            case "RANK" -> " (below WORLD_SIZE)";
            case "LOCAL_RANK" -> " (below LOCAL_WORLD_SIZE)";
            case "LOCAL_WORLD_SIZE" -> " (at most WORLD_SIZE)";
            default -> "";
        };
    }
}
