package dev.dpo4j.core.train;

import dev.dpo4j.api.train.TrainingListener;
import dev.dpo4j.core.metrics.ConsoleProgress;
import dev.dpo4j.core.metrics.JsonlMetricsWriter;
import dev.dpo4j.core.metrics.tensorboard.TensorBoardWriter;
import dev.dpo4j.hub.HubOptions;
import dev.dpo4j.hub.HubUploader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The listeners of a run, in the order they hear each event. */
final class RunListeners {

    /**
     * What the model card names and where {@code push_to_hub} pushes.
     *
     * @param datasetName the dataset's Hub id for the model card, or null
     * @param pushTo the Hub and token to push to, or null for the environment's ({@code HF_ENDPOINT}, {@code HF_TOKEN})
     */
    record Publication(String datasetName, HubOptions pushTo) {
        static final Publication NONE = new Publication(null, null);
    }

    private RunListeners() {
    }

    /**
     * The reporters of {@code report_to} (the metrics file, TensorBoard's events), the progress bar if enabled, the
     * user's listeners, then the model card's writer and, with {@code push_to_hub}, the push (last, so that it pushes
     * what the others wrote). The push is set up first: a token that cannot push fails the run before anything is
     * opened.
     */
    static List<TrainingListener> of(DpoConfig config, Path outputDir, boolean progressBar,
            List<TrainingListener> user, ModelSource policy, Publication publication) {
        ModelCardWriter card = new ModelCardWriter(config, policy.baseName(), publication.datasetName(),
                config.lora().usePeft() || policy.adapterFolder() != null);
        HubPush push = config.push().pushToHub() ? new HubPush(config, uploader(config, publication), card) : null;
        List<TrainingListener> all = new ArrayList<>();
        if (config.reporting().reportsTo(Reporter.JSONL)) {
            all.add(new JsonlMetricsWriter(outputDir.resolve(JsonlMetricsWriter.FILE_NAME)));
        }
        if (config.reporting().reportsTo(Reporter.TENSORBOARD)) {
            all.add(new TensorBoardWriter(outputDir.resolve(TensorBoardWriter.FOLDER)));
        }
        if (progressBar) {
            all.add(new ConsoleProgress());
        }
        all.addAll(user);
        all.add(card);
        if (push != null) {
            all.add(push);
        }
        return all;
    }

    private static HubUploader uploader(DpoConfig config, Publication publication) {
        HubOptions hub = publication.pushTo() != null ? publication.pushTo() : HubOptions.fromEnvironment();
        String token = config.push().hubToken();
        return HubUploader.builder().options(token == null ? hub : hub.withToken(token)).build();
    }
}
