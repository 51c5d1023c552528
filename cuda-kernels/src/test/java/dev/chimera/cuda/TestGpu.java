package dev.chimera.cuda;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Assumptions;

/**
 * What the GPU tests share: one {@link CudaDevice} for the whole JVM (opened on first use, closed at
 * exit): the GPU where there is one, else the CPU emulator of the kernels where the build made it
 * ({@link EmulatorDriver}), so the parity tests run on every machine; and the parity check.
 */
public final class TestGpu {
    private static CudaDevice device;

    private TestGpu() {
    }

    /** True where the tests can run kernels: a GPU, or the emulator. */
    static boolean usable() {
        return Gpu.available() || EmulatorDriver.built();
    }

    /** "GPU: ..." or "CPU emulator (no GPU: ...)": where the GPU tests ran. */
    static String describe() {
        return Gpu.available() ? Gpu.describe() : "the CPU emulator of the kernels (" + Gpu.describe() + ")";
    }

    /** True where the kernels run on the emulator, not a GPU. */
    public static boolean emulated() {
        return !Gpu.available();
    }

    /** The test JVM's device; only call it from a {@link GpuTest}. */
    public static synchronized CudaDevice device() {
        if (device == null) {
            device = Gpu.available() ? CudaDevice.open() : new CudaDevice(EmulatorDriver.start());
            Runtime.getRuntime().addShutdownHook(new Thread(device::close));
        }
        return device;
    }

    /**
     * Skips the calling test, visibly, where the kernels are emulated: for kernels the emulator cannot
     * run (tensor-core instructions) and sizes too large for it.
     */
    public static void assumeRealGpu(String why) {
        Assumptions.assumeFalse(emulated(), "needs a real GPU: " + why);
    }

    /**
     * The normwise relative error max|actual - expected| / max|expected| (max|expected| taken as 1 when
     * it is smaller), and a failure naming the worst element where it passes {@code tolerance}; a NaN or
     * infinity where the reference has a finite value (an unwritten output reads as NaN on the emulator)
     * fails at once, naming its element.
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
            if (Double.isNaN(err) && Float.compare(expected[i], actual[i]) != 0) {
                throw new AssertionError(what + ": element " + i + " is " + actual[i] + ", expected " + expected[i]);
            }
            if (err > worst) {
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
