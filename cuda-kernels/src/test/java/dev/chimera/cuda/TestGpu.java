package dev.chimera.cuda;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the GPU tests share: one {@link CudaDevice} for the whole JVM (opened on first use, closed at
 * exit) and the parity check against a CPU reference.
 */
public final class TestGpu {
    private static CudaDevice device;

    private TestGpu() {
    }

    /** The test JVM's device; only call it from a {@link GpuTest}. */
    public static synchronized CudaDevice device() {
        if (device == null) {
            device = CudaDevice.open();
            Runtime.getRuntime().addShutdownHook(new Thread(device::close));
        }
        return device;
    }

    /**
     * The normwise relative error max|actual - expected| / max|expected| (max|expected| taken as 1 when
     * it is smaller), and a failure naming the worst element where it passes {@code tolerance}.
     */
    public static double assertClose(float[] expected, float[] actual, double tolerance, String what) {
        assertTrue(expected.length <= actual.length, what + ": " + actual.length + " values, expected "
                + expected.length);
        double scale = 1;
        for (float e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        double worst = 0;
        int at = -1;
        for (int i = 0; i < expected.length; i++) {
            double err = Math.abs((double) actual[i] - expected[i]);
            if (!(err <= worst)) {
                worst = err;
                at = i;
            }
        }
        double rel = worst / scale;
        if (!(rel <= tolerance)) {
            throw new AssertionError(String.format("%s: relative error %.3g > %.3g at element %d (expected %s, got %s)",
                    what, rel, tolerance, at, expected[at], actual[at]));
        }
        return rel;
    }
}
