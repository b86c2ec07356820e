package dev.dpo4j.core.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import dev.dpo4j.core.checkpoint.ModelFolder;
import dev.dpo4j.core.lora.AdapterFolder;
import dev.dpo4j.core.model.CausalLm;
import dev.dpo4j.core.tokenizer.HfTokenizer;
import dev.dpo4j.core.tokenizer.TextTokenizer;
import dev.dpo4j.hub.HubClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * Where a trainer's policy or reference comes from: a local folder, a Hub id not yet resolved, a loaded model, or a
 * PEFT adapter folder on its base (training continues from that adapter).
 */
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

    /** The PEFT adapter folder training continues from; null when it starts from a model. */
    default Path adapterFolder() {
        return this instanceof Adapter adapter ? adapter.path() : null;
    }

    /** What saved adapters name as their base ({@code base_model_name_or_path}): the id or folder given; may be null. */
    default String baseName() {
        if (this instanceof Folder folder) {
            return folder.name();
        }
        if (this instanceof Hub hub) {
            return hub.idOrPath();
        }
        return this instanceof Adapter adapter ? adapter.baseName() : null;
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

    /** A Hugging Face model folder, or a PEFT adapter folder, given as {@code name} (a path, or the Hub id). */
    record Folder(Path path, String name) implements ModelSource {

        /** The folder at {@code path}, named by it. */
        Folder(Path path) {
            this(path, path.toString());
        }

        /** An adapter folder becomes its base (found as a folder, or through the environment's Hub) and itself. */
        @Override
        public ModelSource resolve() {
            return resolve(HubClient::fromEnvironment);
        }

        ModelSource resolve(Supplier<HubClient> hub) {
            if (!AdapterFolder.isAdapterOnly(path)) {
                return this;
            }
            return new Adapter(path, AdapterFolder.baseFolder(path, base -> hub.get().snapshot(base, null)),
                    AdapterFolder.baseModel(path));
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
            return new Folder(hub.snapshot(idOrPath, revision), idOrPath).resolve(() -> hub);
        }

        @Override
        public Path folder() {
            throw new IllegalStateException(idOrPath + " is not resolved yet");
        }
    }

    /**
     * A PEFT adapter folder and the base model folder it was trained on: the base loads as the model, the adapter
     * on it; the tokenizer comes from the adapter folder when it has one (PEFT saves it there), else from the base.
     *
     * @param baseName the base as the adapter's config names it
     */
    record Adapter(Path path, Path base, String baseName) implements ModelSource {
        @Override
        public ModelSource resolve() {
            return this;
        }

        @Override
        public Path folder() {
            return base;
        }

        @Override
        public Path tokenizerFiles() {
            return AdapterFolder.tokenizerFolder(path, base);
        }

        @Override
        public TextTokenizer tokenizer() {
            return HfTokenizer.load(tokenizerFiles());
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
