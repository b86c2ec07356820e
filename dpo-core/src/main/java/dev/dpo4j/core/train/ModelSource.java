package dev.dpo4j.core.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import dev.dpo4j.core.checkpoint.ModelFolder;
import dev.dpo4j.core.model.CausalLm;
import dev.dpo4j.core.tokenizer.HfTokenizer;
import dev.dpo4j.core.tokenizer.TextTokenizer;
import dev.dpo4j.hub.HubClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Where a trainer's policy or reference comes from: a local folder, a Hub id not yet resolved, or a loaded model. */
sealed interface ModelSource {

    /** This source with a Hub id replaced by its local snapshot (downloaded, or found in the cache). */
    ModelSource resolve();

    /** The local model folder; null for a loaded model. */
    Path folder();

    /** Loads the model under {@code parent}, or returns the loaded one. */
    default CausalLm load(NDManager parent) {
        return this instanceof Loaded loaded ? loaded.model() : ModelFolder.load(folder(), parent);
    }

    /** Loads the folder's tokenizer, or returns the loaded one. */
    default TextTokenizer tokenizer() {
        return this instanceof Loaded loaded ? loaded.tokenizer() : HfTokenizer.load(folder());
    }

    /** The folder whose tokenizer files travel with saved models (may be null for a loaded model). */
    default Path tokenizerFiles() {
        return this instanceof Loaded loaded ? loaded.tokenizerFiles() : folder();
    }

    /** Whether the run owns the model it loads (and closes it), rather than training a caller's model in place. */
    default boolean ownsModel() {
        return !(this instanceof Loaded);
    }

    /** The default devices for a model already loaded: its own, then every other GPU when it is on a GPU. */
    static List<Device> devicesFrom(CausalLm model) {
        Device home = model.manager().getDevice();
        if (!home.isGpu()) {
            return List.of(home);
        }
        List<Device> fromHome = new ArrayList<>(List.of(home));
        Arrays.stream(Engine.getInstance().getDevices()).filter(d -> !d.equals(home)).forEach(fromHome::add);
        return fromHome;
    }

    /** A Hugging Face model folder. */
    record Folder(Path path) implements ModelSource {
        @Override
        public ModelSource resolve() {
            return this;
        }

        @Override
        public Path folder() {
            return path;
        }
    }

    /** A local folder or a Hub model id at a revision (null: main), resolved through {@code hub}. */
    record Hub(String idOrPath, String revision, HubClient hub) implements ModelSource {
        @Override
        public ModelSource resolve() {
            return new Folder(hub.snapshot(idOrPath, revision));
        }

        @Override
        public Path folder() {
            throw new IllegalStateException(idOrPath + " is not resolved yet");
        }
    }

    /** A model already in memory, trained in place, with its tokenizer and the folder its tokenizer files are in. */
    record Loaded(CausalLm model, TextTokenizer tokenizer, Path tokenizerFiles) implements ModelSource {
        @Override
        public ModelSource resolve() {
            return this;
        }

        @Override
        public Path folder() {
            return null;
        }
    }
}
