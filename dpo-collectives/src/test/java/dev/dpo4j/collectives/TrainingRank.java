package dev.dpo4j.collectives;

import dev.dpo4j.core.train.DpoTrainer;
import dev.dpo4j.testing.TinyModels;
import java.nio.file.Path;

/**
 * A rank of a training in a JVM of its own, for {@link GlooTrainingTest}: {@code MODEL OUT ZERO_STAGE}, its place among
 * the ranks read from torchrun's variables ({@code RANK}, {@code WORLD_SIZE}, {@code MASTER_ADDR}, ...) as the
 * {@code dpo} launcher sets them.
 */
public final class TrainingRank {

    private TrainingRank() {
    }

    public static void main(String[] args) {
        GlooTrainingTest.settings(DpoTrainer.builder().modelPath(Path.of(args[0])).outputDir(Path.of(args[1])))
                .gradientAccumulationSteps(2).zeroStage(Integer.parseInt(args[2])).build().train();
        System.exit(0); // the rendezvous store's threads
    }
}
