package dev.chimera.genomics;

/**
 * The DNA models shipped in the repository's {@code models/} folder, by name; {@link
 * dev.chimera.runtime.Checkout#shippedModel} finds one in the checkout the code runs from (or the
 * working directory's).
 */
public final class ShippedModels {
    /** The E. coli K-12 model trained by the command in {@code models/ecoli-hybrid/README.md}. */
    public static final String ECOLI = "ecoli-hybrid";

    private ShippedModels() {
    }
}
