package dev.dpo4j.core.kernels;

/** Kernels that cannot run here: TorchScript refused by libtorch, or an engine other than PyTorch. */
public class KernelsException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** With the cause. */
    public KernelsException(String message, Throwable cause) {
        super(message, cause);
    }
}
