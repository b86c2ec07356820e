package dev.dpo4j.core.kernels;

import dev.dpo4j.api.NamedChoices;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Loads the TorchScript kernels once per JVM and picks kernels by name; {@link Kernels}' factories use it. */
final class KernelChoice {

    private static final Logger LOG = LoggerFactory.getLogger(KernelChoice.class);

    private static final NamedChoices<Supplier<Kernels>> CHOICES = NamedChoices.<Supplier<Kernels>>builder("kernels")
            .add("auto", KernelChoice::auto)
            .add("torchscript", KernelChoice::torchScript)
            .add("djl", Kernels::djl)
            .build();

    private static TorchScriptKernels loaded;
    private static KernelsException refusal;
    private static boolean fallbackLogged;

    private KernelChoice() {
    }

    static Kernels named(String name) {
        return CHOICES.get(name).get();
    }

    static List<String> names() {
        return CHOICES.names();
    }

    static synchronized Kernels torchScript() {
        if (loaded == null && refusal == null) {
            try {
                loaded = TorchScriptKernels.load();
                LOG.info("kernels: torchscript (version {} of {})", TorchScriptKernels.VERSION,
                        TorchScriptArchive.resourcePath(TorchScriptKernels.SOURCE));
            } catch (KernelsException e) {
                refusal = e;
            }
        }
        if (refusal != null) {
            throw refusal;
        }
        return loaded;
    }

    static synchronized Kernels auto() {
        try {
            return torchScript();
        } catch (KernelsException e) {
            if (!fallbackLogged) {
                fallbackLogged = true;
                LOG.warn("kernels: djl, because the TorchScript kernels do not load here: {}", e.getMessage());
            }
            return Kernels.djl();
        }
    }
}
