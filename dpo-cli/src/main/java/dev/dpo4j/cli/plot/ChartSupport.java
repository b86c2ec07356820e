package dev.dpo4j.cli.plot;

/**
 * Whether this Java runtime can draw the training curves: JFreeChart needs the {@code java.desktop} module, which a
 * runtime cut down with jlink may lack (then {@link TrainingCurvePlot} fails to load). This class touches no AWT type.
 */
public final class ChartSupport {

    /** The module JFreeChart's drawing needs. */
    public static final String MODULE = "java.desktop";

    private ChartSupport() {
    }

    /** Whether the runtime's boot layer has {@link #MODULE}. */
    public static boolean available() {
        return available(ModuleLayer.boot());
    }

    /** Whether {@code layer} has {@link #MODULE}. */
    static boolean available(ModuleLayer layer) {
        return layer.findModule(MODULE).isPresent();
    }
}
