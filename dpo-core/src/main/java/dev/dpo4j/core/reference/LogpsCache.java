package dev.dpo4j.core.reference;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.dpo4j.core.data.PairCollator;
import dev.dpo4j.core.data.PreparedData;
import dev.dpo4j.core.data.TokenizedPair;
import dev.dpo4j.hub.files.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Precomputed reference log-probs kept in a folder across runs ({@code ref_logps_cache_dir}): one safetensors file per
 * reference, named by the SHA-256 of its content (weights as scored, config, compute dtype), holding each pair's two
 * log-probs under the digest of its token ids. A run reuses the pairs it finds, scores only the others, and writes
 * the file back with them added, so subsets and supersets of a dataset share one file.
 */
public final class LogpsCache {

    private static final Logger LOG = LoggerFactory.getLogger(LogpsCache.class);

    private final Path file;
    private final String reference;
    private final Map<LogpsFile.PairKey, float[]> entries;
    private boolean added;

    private LogpsCache(Path file, String reference, Map<LogpsFile.PairKey, float[]> entries) {
        this.file = file;
        this.reference = reference;
        this.entries = entries;
    }

    /**
     * The cache of {@code live}'s log-probs in {@code folder} (created if absent): its file read when there is one; a
     * damaged one is logged, ignored and later rewritten.
     *
     * @throws IllegalArgumentException naming {@code ref_logps_cache_dir} when the folder cannot be created
     */
    public static LogpsCache open(Path folder, ReferenceLogps live, DataType computeType, NDManager manager) {
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new IllegalArgumentException("ref_logps_cache_dir " + folder + " cannot be created: " + e, e);
        }
        String reference = ContentDigest.of(live.content(), computeType);
        Path file = folder.resolve("ref-logps-" + reference + ".safetensors");
        Map<LogpsFile.PairKey, float[]> entries = new LinkedHashMap<>();
        if (Files.exists(file)) {
            try {
                entries = LogpsFile.read(file, reference, manager);
            } catch (LogpsFile.DamagedException e) {
                LOG.warn("{} is damaged ({}): scoring its pairs again and rewriting it", file, e.getMessage());
            }
        }
        return new LogpsCache(file, reference, entries);
    }

    /** The file this cache reads and writes. */
    public Path file() {
        return file;
    }

    /**
     * A table of {@code data}'s reference log-probs: pairs in the cache reused, the others scored with {@code live}
     * {@code batchSize} pairs at a time and added to the cache.
     *
     * @param name what the pairs are, for the log ({@code train}, {@code eval})
     */
    public ReferenceLogps precompute(ReferenceLogps live, PreparedData data, PairCollator collator, int batchSize,
            NDManager manager, String name) {
        List<TokenizedPair> pairs = data.pairs();
        List<LogpsFile.PairKey> keys = new ArrayList<>(pairs.size());
        List<TokenizedPair> missing = new ArrayList<>();
        List<LogpsFile.PairKey> missingKeys = new ArrayList<>();
        for (TokenizedPair pair : pairs) {
            LogpsFile.PairKey key = LogpsFile.PairKey.of(pair);
            keys.add(key);
            if (!entries.containsKey(key)) {
                missing.add(pair);
                missingKeys.add(key);
            }
        }
        int reused = pairs.size() - missing.size();
        if (missing.isEmpty()) {
            LOG.info("reference log-probs of all {} {} pairs reused from {}", pairs.size(), name, file);
        } else {
            LOG.info("reference log-probs of {} of {} {} pairs reused from {}; scoring {}", reused, pairs.size(),
                    name, file, missing.size());
            float[][] scored = Scoring.score(live, missing, collator, batchSize, manager);
            for (int i = 0; i < missing.size(); i++) {
                entries.put(missingKeys.get(i), new float[] {scored[0][i], scored[1][i]});
            }
            added = true;
        }
        float[] chosen = new float[pairs.size()];
        float[] rejected = new float[pairs.size()];
        for (int i = 0; i < pairs.size(); i++) {
            float[] logps = entries.get(keys.get(i));
            chosen[i] = logps[0];
            rejected[i] = logps[1];
        }
        return ReferenceLogps.table(chosen, rejected);
    }

    /**
     * Writes the file if pairs were added, into a temporary file beside it that is then moved over it; a failure is
     * logged, not thrown: the run has its log-probs, only the next run's reuse is lost.
     */
    public void save(NDManager manager) {
        if (!added) {
            return;
        }
        Path tmp = null;
        try {
            tmp = Files.createTempFile(file.getParent(), file.getFileName() + ".", ".tmp");
            LogpsFile.write(tmp, reference, entries, manager);
            AtomicFiles.move(tmp, file);
            added = false;
            LOG.info("reference log-probs of {} pairs kept in {}", entries.size(), file);
        } catch (IOException e) {
            LOG.warn("cannot write {} ({}): the next run scores these pairs again", file, e.toString());
            deleteQuietly(tmp);
        }
    }

    private static void deleteQuietly(Path tmp) {
        if (tmp == null) {
            return;
        }
        try {
            Files.deleteIfExists(tmp);
        } catch (IOException e) {
            LOG.warn("cannot delete {}: {}", tmp, e.toString());
        }
    }
}
