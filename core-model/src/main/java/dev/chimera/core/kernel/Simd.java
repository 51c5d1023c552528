package dev.chimera.core.kernel;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The one place that chooses the Vector API species and whether vector kernels are used.
 *
 * <p>Set {@code -Dchimera.kernels=scalar} to force the scalar reference kernels everywhere
 * (for debugging a suspected kernel bug or comparing speed).
 */
public final class Simd {
    /** System property that selects the kernels: {@code vector} (default) or {@code scalar}. */
    public static final String KERNELS_PROPERTY = "chimera.kernels";

    /** The widest float species this CPU runs natively: 16 lanes on AVX-512, 8 on AVX2. */
    public static final VectorSpecies<Float> FLOAT = FloatVector.SPECIES_PREFERRED;

    /** The widest double species this CPU runs natively: 8 lanes on AVX-512, 4 on AVX2. */
    public static final VectorSpecies<Double> DOUBLE = DoubleVector.SPECIES_PREFERRED;

    private Simd() {
    }

    /** True unless the scalar kernels were asked for. */
    public static boolean vectorEnabled() {
        String value = System.getProperty(KERNELS_PROPERTY, "vector");
        switch (value) {
            case "vector":
                return true;
            case "scalar":
                return false;
            default:
                throw new IllegalArgumentException("-D" + KERNELS_PROPERTY + "=" + value
                        + ": expected 'vector' or 'scalar'");
        }
    }
}
