package dev.chimera.cli;

import dev.chimera.core.kernel.Simd;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Measures the same GEMM cases with numpy (OpenBLAS) in a python3 subprocess, so every
 * Chimera figure has its reference from the same run on the same machine. OpenBLAS runs the
 * kernel of the instruction set that the JVM's vectors use ({@link #coretypeFor}): its SkylakeX
 * kernel when the JVM runs 512-bit vectors, its Haswell kernel when the JVM runs 256-bit vectors
 * on a CPU that has AVX-512 (e.g. under {@code -XX:UseAVX=2}), and its own choice otherwise. The
 * core OpenBLAS reports is returned beside the figures. Timing matches {@link GemmBenchmark}:
 * best of repeated runs. One subprocess serves a whole benchmark, so its measurements can be
 * interleaved with Chimera's and both see the same state of the machine.
 */
final class NumpyReference implements AutoCloseable {
    private static final String SCRIPT = String.join("\n",
            "import sys, time",
            "import numpy as np",
            "kernel = 'unknown'",
            "try:",
            "    import ctypes",
            "    for path in sorted({l.split()[-1] for l in open('/proc/self/maps') if 'openblas' in l.lower()}):",
            "        for name in ('openblas_get_corename', 'openblas_get_corename64_', 'scipy_openblas_get_corename64_'):",
            "            f = getattr(ctypes.CDLL(path), name, None)",
            "            if f is not None:",
            "                f.restype = ctypes.c_char_p",
            "                kernel = 'openblas:' + f().decode()",
            "except Exception:",
            "    pass",
            "if kernel == 'unknown':",
            "    try:",
            "        from threadpoolctl import threadpool_info",
            "        kernel = ';'.join(str(i.get('internal_api')) + ':' + str(i.get('architecture')) for i in threadpool_info())",
            "    except Exception:",
            "        pass",
            "print('kernel', np.__version__, kernel, flush=True)",
            "rng = np.random.default_rng(1)",
            "for line in sys.stdin:",
            "    form, m, n, k, seconds = line.split()",
            "    m, n, k, seconds = int(m), int(n), int(k), float(seconds)",
            "    a = rng.uniform(-1, 1, (k, m) if form == 'AtB' else (m, k)).astype(np.float32)",
            "    b = rng.uniform(-1, 1, (n, k) if form == 'ABt' else (k, n)).astype(np.float32)",
            "    x = a.T if form == 'AtB' else a",
            "    y = b.T if form == 'ABt' else b",
            "    c = np.empty((m, n), np.float32)",
            "    end = time.perf_counter() + seconds / 4",
            "    w = 0",
            "    while w < 2 or time.perf_counter() < end:",
            "        np.matmul(x, y, out=c); w += 1",
            "    best = float('inf'); runs = 0",
            "    end = time.perf_counter() + seconds",
            "    while runs < 3 or time.perf_counter() < end:",
            "        t = time.perf_counter(); np.matmul(x, y, out=c); best = min(best, time.perf_counter() - t); runs += 1",
            "    print(2.0 * m * n * k / best / 1e9, flush=True)",
            "");

    /** What {@link #coretype()} says when OpenBLAS chooses its kernel itself. */
    static final String OWN_CHOICE = "auto";

    private final Process process;
    private final Writer in;
    private final BufferedReader out;
    private final String description;

    private NumpyReference(Process process, Writer in, BufferedReader out, String description) {
        this.process = process;
        this.in = in;
        this.out = out;
        this.description = description;
    }

    /**
     * The OPENBLAS_CORETYPE that matches JVM vectors of {@code lanes} floats on this CPU, or
     * {@link #OWN_CHOICE}. 16 lanes means AVX-512: SkylakeX, OpenBLAS's AVX-512 kernel (which it may
     * not pick by itself on newer cores). 8 lanes on a CPU with AVX-512 means the JVM was held to
     * AVX2 (e.g. {@code -XX:UseAVX=2}) to stand for an AVX2-only machine: Haswell, the AVX2 kernel.
     * On a CPU without AVX-512, OpenBLAS's own choice is already the kernel for what the JVM runs.
     */
    static String coretypeFor(int lanes, boolean cpuHasAvx512) {
        if (cpuHasAvx512 && lanes >= 16) {
            return "SkylakeX";
        }
        if (cpuHasAvx512 && lanes == 8) {
            return "Haswell";
        }
        return OWN_CHOICE;
    }

    /** The coretype the reference runs for this JVM's vectors on this CPU (see {@link #coretypeFor}). */
    static String coretype() {
        return coretypeFor(Simd.FLOAT.length(), cpuHasAvx512());
    }

    /** Starts python3 with numpy and OpenBLAS on {@code threads} threads; null (and a reason in {@code why}) if it cannot. */
    static NumpyReference start(int threads, StringBuilder why) {
        ProcessBuilder pb = new ProcessBuilder("python3", "-c", SCRIPT);
        Map<String, String> env = pb.environment();
        env.put("OPENBLAS_NUM_THREADS", Integer.toString(threads));
        env.put("OMP_NUM_THREADS", Integer.toString(threads));
        env.remove("OPENBLAS_L2_SIZE");
        String coretype = coretype();
        if (coretype.equals(OWN_CHOICE)) {
            env.remove("OPENBLAS_CORETYPE");
        } else {
            env.put("OPENBLAS_CORETYPE", coretype);
        }
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        try {
            Process p = pb.start();
            Writer in = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8);
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String header = out.readLine();
            if (header == null || !header.startsWith("kernel ")) {
                p.destroy();
                why.append("python3 could not import numpy");
                return null;
            }
            String[] parts = header.split(" ");
            return new NumpyReference(p, in, out, "numpy " + parts[1] + " (" + (parts.length > 2 ? parts[2] : "?") + ")");
        } catch (IOException e) {
            why.append("python3 not found (").append(e.getMessage()).append(')');
            return null;
        }
    }

    /** numpy version and the BLAS kernel it runs. */
    String description() {
        return description;
    }

    /** GFLOP/s of the best numpy run of {@code c} within {@code seconds}; NaN if the subprocess died. */
    double measure(GemmBenchmark.Case c, double seconds) {
        try {
            in.write(String.format(Locale.ROOT, "%s %d %d %d %.3f%n", c.form, c.m, c.n, c.k, seconds));
            in.flush();
            String line = out.readLine();
            return line == null ? Double.NaN : Double.parseDouble(line.trim());
        } catch (IOException | NumberFormatException e) {
            return Double.NaN;
        }
    }

    @Override
    public void close() {
        try {
            in.close();
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (IOException e) {
            process.destroy();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroy();
        }
    }

    static boolean cpuHasAvx512() {
        try {
            return Files.readString(Path.of("/proc/cpuinfo")).contains(" avx512f");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
