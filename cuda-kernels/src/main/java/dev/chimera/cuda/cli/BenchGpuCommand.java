package dev.chimera.cuda.cli;

import dev.chimera.core.JsonLine;
import dev.chimera.cuda.CudaDevice;
import dev.chimera.cuda.Gpu;
import dev.chimera.cuda.GpuInfo;
import dev.chimera.cuda.bench.BenchRow;
import dev.chimera.cuda.bench.GpuBench;
import dev.chimera.runtime.JsonOption;
import dev.chimera.runtime.UserException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code chimera bench gpu}: every CUDA kernel family timed on the first GPU (CUDA events, median of
 * repeated launches) on the model's shapes, one row per kernel and shape with its time, TFLOP/s, GB/s
 * and the fraction of its roofline (the binding one of the GPU's peak arithmetic for the kernel's
 * precision and its peak DRAM bandwidth), then cuBLAS's SGEMM as the peer where it loads. Without a
 * GPU it is a one-line error saying why.
 */
@Command(name = "gpu", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Time every CUDA kernel on the GPU against its roofline (and cuBLAS where it loads).")
public final class BenchGpuCommand implements Callable<Integer> {
    @Option(names = "--seconds", defaultValue = "0.5", paramLabel = "S",
            description = "Timed seconds per kernel and shape, after warm-up (default: ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--family", split = ",", paramLabel = "F",
            description = "Only these families (elementwise, gemm, rows, optim, ssd, conv, attention, fourier,"
                    + " bspline, cublas); default: all.")
    List<String> families = List.of();

    @Mixin
    JsonOption json;

    @Spec
    CommandSpec spec;

    /**
     * The command on its own, for the GPU machine's script, which carries this module's jars but not the
     * whole CLI: {@code java -cp ... dev.chimera.cuda.cli.BenchGpuCommand --json}.
     */
    public static void main(String[] args) {
        CommandLine cl = new CommandLine(new BenchGpuCommand());
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            if (e instanceof UserException) {
                line.getErr().println("bench gpu: error: " + e.getMessage());
                return 1;
            }
            throw e;
        });
        System.exit(cl.execute(args));
    }

    @Override
    public Integer call() {
        if (!(seconds > 0)) {
            throw new UserException("--seconds must be > 0, got " + seconds);
        }
        if (!Gpu.available()) {
            throw new UserException("no GPU: " + Gpu.reason());
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (CudaDevice device = CudaDevice.open()) {
            GpuInfo gpu = device.info();
            err.printf(Locale.ROOT, "%s: peaks %.1f TFLOP/s fp32, %.1f tf32, %.1f bf16; %.0f GB/s%n", gpu.describe(),
                    gpu.peakTflops(GpuInfo.Precision.FP32), gpu.peakTflops(GpuInfo.Precision.TF32),
                    gpu.peakTflops(GpuInfo.Precision.BF16), gpu.peakBandwidthGbs());
            GpuBench.run(device, seconds, families, row -> {
                out.println(json.enabled() ? json(row, gpu) : text(row, gpu));
                out.flush();
            }, note -> err.println("bench gpu: " + note));
        }
        return 0;
    }

    static String json(BenchRow r, GpuInfo gpu) {
        return new JsonLine().put("kernel", r.kernel()).put("shape", r.shape()).put("ms", r.ms(), 4)
                .put("tflops", r.tflops(), 3).put("gbs", r.gbs(), 1)
                .put("roofline_fraction", r.rooflineFraction(gpu), 3)
                .put("precision", r.precision().name().toLowerCase(Locale.ROOT)).toString();
    }

    static String text(BenchRow r, GpuInfo gpu) {
        return String.format(Locale.ROOT, "%-40s %-28s %9.4f ms %8.2f TFLOP/s %8.1f GB/s %5.1f%% of roofline (%s)",
                r.kernel(), r.shape(), r.ms(), r.tflops(), r.gbs(), 100 * r.rooflineFraction(gpu),
                r.precision().name().toLowerCase(Locale.ROOT));
    }
}
