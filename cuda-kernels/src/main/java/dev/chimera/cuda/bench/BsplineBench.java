package dev.chimera.cuda.bench;

import dev.chimera.cuda.CudaDevice;
import dev.chimera.cuda.DeviceBuffer;
import dev.chimera.cuda.GpuInfo;
import dev.chimera.cuda.kernels.BsplineKernels;
import dev.chimera.cuda.kernels.BsplineKernels.Codebook;
import dev.chimera.cuda.kernels.BsplineKernels.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * {@code bspline.cu} on BEAST's shapes (REFERENCE §7: the released tokenizer's 50 steps and 10 control points
 * of degree 4, C0): 4,096 chunks of 7 DoF (one gripper) and of 14 (two, a bimanual arm); encoding,
 * de-quantisation, and evaluation at the data rate (R = T) and at 1 kHz from a 50-step chunk (R = 1,000). The
 * operands are seeded random numbers: the kernels' work does not depend on their values.
 */
public final class BsplineBench implements KernelBench {
    private static final int BATCH = 4096;
    private static final int STEPS = 50;
    private static final int CONTROL_POINTS = 10;
    private static final int PINNED = 1;
    private static final int FINE = 1000;

    @Override
    public String family() {
        return "bspline";
    }

    @Override
    public List<BenchRow> run(CudaDevice device, KernelTimer timer) {
        List<BenchRow> rows = new ArrayList<>();
        BsplineKernels k = new BsplineKernels(device);
        for (int dof : new int[] {7, 14}) {
            boolean[] gripper = new boolean[dof];
            for (int d = 6; d < dof; d += 7) {
                gripper[d] = true;
            }
            Random r = new Random(dof);
            Shape s = Shape.of(STEPS, CONTROL_POINTS, PINNED, gripper);
            int f = s.free();
            double[] lower = new double[dof];
            double[] upper = new double[dof];
            for (int d = 0; d < dof; d++) {
                lower[d] = -1.5;
                upper[d] = 1.5;
            }
            long pointCount = (long) BATCH * CONTROL_POINTS * dof;
            long tokenCount = (long) BATCH * s.tokensPerChunk();
            long chunkCount = (long) BATCH * STEPS * dof;
            try (Codebook code = Codebook.upload(device, STEPS, CONTROL_POINTS, PINNED, 1.0,
                    random(r, f * STEPS, 0.2), random(r, f, 0.2), new double[f], random(r, f * f, 0.1), lower, upper,
                    gripper);
                 DeviceBuffer chunks = device.upload(randomFloats(r, chunkCount));
                 DeviceBuffer previous = device.upload(randomFloats(r, (long) BATCH * dof));
                 DeviceBuffer tokens = device.allocate(tokenCount);
                 DeviceBuffer points = device.allocate(pointCount)) {
                String shape = BATCH + "x" + STEPS + "x" + dof + " N=" + CONTROL_POINTS;
                long continuous = dof - s.grippers();
                double ms = timer.medianMs(() -> k.encode(code, tokens.at(0), points.at(0), chunks.at(0),
                        previous.at(0), previous.at(0), BATCH));
                // the fit: 2 F T per continuous DoF, the grippers' T adds; the feedback F^2; C0 reads no velocity
                double flops = (double) BATCH * (continuous * (2.0 * f * STEPS + (double) f * f) + s.grippers() * STEPS);
                double bytes = 4.0 * (chunkCount + (long) PINNED * BATCH * dof + pointCount + tokenCount);
                rows.add(new BenchRow("bspline_encode", shape, ms, flops, bytes, GpuInfo.Precision.FP32));
                ms = timer.medianMs(() -> k.dequantise(code, points.at(0), tokens.at(0), previous.at(0),
                        previous.at(0), BATCH));
                bytes = 4.0 * (tokenCount + (long) PINNED * BATCH * dof + pointCount);
                rows.add(new BenchRow("bspline_dequantise", shape, ms, 3.0 * pointCount, bytes,
                        GpuInfo.Precision.FP32));
                for (int samples : new int[] {STEPS, FINE}) {
                    long outCount = (long) BATCH * samples * dof;
                    try (DeviceBuffer basis = device.upload(randomFloats(r, (long) samples * CONTROL_POINTS));
                         DeviceBuffer out = device.allocate(outCount)) {
                        ms = timer.medianMs(() -> k.evaluate(code, out.at(0), points.at(0), basis.at(0),
                                previous.at(0), BATCH, samples));
                        flops = 2.0 * BATCH * samples * continuous * CONTROL_POINTS;
                        bytes = 4.0 * (outCount + pointCount + BATCH * dof + (long) samples * CONTROL_POINTS);
                        rows.add(new BenchRow("bspline_evaluate", shape + " R=" + samples, ms, flops, bytes,
                                GpuInfo.Precision.FP32));
                    }
                }
            }
        }
        return rows;
    }

    private static double[] random(Random r, int n, double scale) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = scale * (2 * r.nextDouble() - 1);
        }
        return v;
    }

    private static float[] randomFloats(Random r, long n) {
        float[] v = new float[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) {
            v[i] = 2 * r.nextFloat() - 1;
        }
        return v;
    }
}
