package dev.chimera.cuda.bench;

import dev.chimera.cuda.CudaDevice;
import java.util.Arrays;
import jcuda.driver.CUevent;
import jcuda.driver.JCudaDriver;

/**
 * Times GPU work with CUDA events: a few warm-up runs, then repeated timed runs until about
 * {@code seconds} have passed (at least 5), and the median milliseconds of one run.
 */
public final class KernelTimer {
    private final CudaDevice device;
    private final double seconds;

    public KernelTimer(CudaDevice device, double seconds) {
        this.device = device;
        this.seconds = seconds;
    }

    /** The median time of one call of {@code work} (which launches kernels) in milliseconds. */
    public double medianMs(Runnable work) {
        for (int i = 0; i < 3; i++) {
            work.run();
        }
        device.synchronize();
        CUevent start = new CUevent();
        CUevent stop = new CUevent();
        JCudaDriver.cuEventCreate(start, 0);
        JCudaDriver.cuEventCreate(stop, 0);
        try {
            double[] times = new double[1000];
            int n = 0;
            double spent = 0;
            float[] ms = new float[1];
            while (n < times.length && (n < 5 || spent < seconds * 1e3)) {
                JCudaDriver.cuEventRecord(start, null);
                work.run();
                JCudaDriver.cuEventRecord(stop, null);
                JCudaDriver.cuEventSynchronize(stop);
                JCudaDriver.cuEventElapsedTime(ms, start, stop);
                times[n++] = ms[0];
                spent += ms[0];
            }
            double[] done = Arrays.copyOf(times, n);
            Arrays.sort(done);
            return done[n / 2];
        } finally {
            JCudaDriver.cuEventDestroy(start);
            JCudaDriver.cuEventDestroy(stop);
        }
    }
}
