package dev.chimera.cuda;

import jcuda.Pointer;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasOperation;

/**
 * cuBLAS's SGEMM, the peer GEMM of {@code chimera bench gpu} where JCublas's native library and
 * {@code libcublas.so.12} load (a CUDA-13-only machine has no libcublas.so.12: then {@link #open}
 * says why in one line and the benchmark goes on without it). Nothing else uses cuBLAS.
 */
public final class CublasPeer implements AutoCloseable {
    private final JCudaDeviceDriver driver;
    private final cublasHandle handle = new cublasHandle();

    private CublasPeer(JCudaDeviceDriver driver) {
        this.driver = driver;
        driver.current();
        JCublas2.setExceptionsEnabled(true);
        JCublas2.cublasCreate(handle);
    }

    /** cuBLAS on {@code device}, or an {@link IllegalStateException} saying why it cannot be loaded. */
    public static CublasPeer open(CudaDevice device) {
        if (!(device.driver() instanceof JCudaDeviceDriver driver)) {
            throw new IllegalStateException("cuBLAS runs on a GPU only");
        }
        try {
            return new CublasPeer(driver);
        } catch (UnsatisfiedLinkError | NoClassDefFoundError | jcuda.CudaException e) {
            String m = String.valueOf(e.getMessage());
            throw new IllegalStateException("cuBLAS cannot be loaded: " + m.lines().findFirst().orElse(m));
        }
    }

    /**
     * C (m x n) = A (m x k) · B (k x n), all row-major fp32: cuBLAS is column-major, so it computes
     * Cᵀ = Bᵀ·Aᵀ, which lies in memory exactly as row-major C.
     */
    public void sgemm(DeviceBuffer c, DeviceBuffer a, DeviceBuffer b, int m, int n, int k) {
        driver.current();
        JCublas2.cublasSgemm(handle, cublasOperation.CUBLAS_OP_N, cublasOperation.CUBLAS_OP_N, n, m, k,
                Pointer.to(new float[] {1f}), driver.pointer(b.address(0)), n, driver.pointer(a.address(0)), k,
                Pointer.to(new float[] {0f}), driver.pointer(c.address(0)), n);
    }

    @Override
    public void close() {
        driver.current();
        JCublas2.cublasDestroy(handle);
    }
}
