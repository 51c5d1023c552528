package dev.chimera.core.eval.fourier;

import java.util.Locale;

/** The two heads compared in the synthetic experiment: a linear classifier and the Fourier head. */
public enum HeadKind {
    LINEAR,
    FOURIER;

    /** linear or fourier, as the reference's --head names them. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
