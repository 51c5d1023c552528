package dev.chimera.cuda;

import jcuda.CudaException;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.JCudaDriver;

/**
 * Whether this JVM can use a GPU, found once: JCuda's driver library loads (it needs only the
 * driver's {@code libcuda.so.1}), {@code cuInit} succeeds and there is a device of compute capability
 * 8.0 or later. Where not, {@link #reason()} says why in one line and every CPU path is untouched.
 * {@code -Dchimera.gpu=off} answers "no" without touching the driver.
 */
public final class Gpu {
    private static final Object LOCK = new Object();
    private static volatile boolean probed;
    private static GpuInfo info;
    private static String reason;

    private Gpu() {
    }

    /** True where a GPU can run this module's kernels. */
    public static boolean available() {
        probe();
        return info != null;
    }

    /** Why no GPU can be used (one line), or null where one can. */
    public static String reason() {
        probe();
        return reason;
    }

    /** The first GPU, or null where none can be used. */
    public static GpuInfo info() {
        probe();
        return info;
    }

    /** "GPU: <description>" or "no GPU: <reason>": one line for logs and benchmark headers. */
    public static String describe() {
        return available() ? "GPU: " + info.describe() : "no GPU: " + reason;
    }

    private static void probe() {
        if (probed) {
            return;
        }
        synchronized (LOCK) {
            if (probed) {
                return;
            }
            try {
                if ("off".equals(System.getProperty("chimera.gpu"))) {
                    reason = "disabled by -Dchimera.gpu=off";
                } else {
                    info = firstDevice();
                }
            } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
                reason = linkFailure(String.valueOf(e.getMessage()));
            } catch (CudaException e) {
                reason = "the CUDA driver answered " + firstLine(e.getMessage());
            } catch (IllegalStateException e) {
                reason = e.getMessage();
            }
            probed = true;
        }
    }

    private static GpuInfo firstDevice() {
        JCudaDriver.setExceptionsEnabled(true);
        JCudaDriver.cuInit(0);
        int[] count = new int[1];
        JCudaDriver.cuDeviceGetCount(count);
        if (count[0] == 0) {
            throw new IllegalStateException("the CUDA driver sees no device");
        }
        CUdevice dev = new CUdevice();
        JCudaDriver.cuDeviceGet(dev, 0);
        byte[] name = new byte[256];
        JCudaDriver.cuDeviceGetName(name, name.length, dev);
        int n = 0;
        while (n < name.length && name[n] != 0) {
            n++;
        }
        long[] bytes = new long[1];
        JCudaDriver.cuDeviceTotalMem(bytes, dev);
        int[] driver = new int[1];
        JCudaDriver.cuDriverGetVersion(driver);
        GpuInfo gpu = new GpuInfo(new String(name, 0, n, java.nio.charset.StandardCharsets.US_ASCII),
                attribute(dev, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR),
                attribute(dev, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR), bytes[0], driver[0],
                attribute(dev, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT),
                attribute(dev, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_CLOCK_RATE),
                attribute(dev, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE),
                attribute(dev, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH));
        if (gpu.major() < 8) {
            throw new IllegalStateException(gpu.describe() + " is older than compute capability 8.0, the oldest"
                    + " these kernels are built for");
        }
        return gpu;
    }

    private static int attribute(CUdevice dev, int attribute) {
        int[] v = new int[1];
        JCudaDriver.cuDeviceGetAttribute(v, attribute, dev);
        return v[0];
    }

    /** Why JCuda's driver binding did not load, from its (many-line) message. */
    static String linkFailure(String message) {
        if (message.contains("libcuda.so.1: cannot open shared object file")) {
            return "the NVIDIA driver's libcuda.so.1 is not installed";
        }
        return "JCuda's driver binding did not load: " + firstLine(message);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "(no message)";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
