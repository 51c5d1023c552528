package dev.chimera.cli;


import dev.chimera.core.JsonLine;
import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.kernel.GemmForm;
import dev.chimera.core.backend.Backend;
import dev.chimera.runtime.ComputeOptions;
import dev.chimera.runtime.JsonOption;
import dev.chimera.runtime.UserException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code chimera bench gemm}: GEMM GFLOP/s of the three forms beside numpy/OpenBLAS, same run. */
@Command(name = "gemm",
        mixinStandardHelpOptions = true,
        description = {"GEMM throughput (fp32 GFLOP/s) of C = A.B, A.B^T and A^T.B, beside numpy/OpenBLAS "
                + "measured in the same run.",
                "Without --size: square 256, 1024, 2048 and the decoder's layer shapes (T=4096 tokens, "
                        + "C=128..512, C x 4C)."})
final class BenchGemmCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--size", split = ",", paramLabel = "N",
            description = "Square size(s) N for N x N x N products; only these are run.")
    List<Integer> sizes;

    @Option(names = "--form", defaultValue = "all", paramLabel = "AB|ABt|AtB|all",
            description = "Which product form(s) to time (default: ${DEFAULT-VALUE}).")
    String form;


    @Option(names = "--seconds", defaultValue = "1.0", paramLabel = "S",
            description = "Timing budget per case and per library (default: ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--reference", defaultValue = "numpy", paramLabel = "numpy|none",
            description = "Reference library measured in the same run (default: ${DEFAULT-VALUE}).")
    String reference;

    @Mixin
    ComputeOptions compute;

    @Mixin
    JsonOption json;

    @Override
    public Integer call() {
        List<GemmForm> forms = parseForms(form);
        if (seconds <= 0 || seconds > 60) {
            throw new UserException("--seconds must be in (0, 60], got " + seconds);
        }
        if (!reference.equals("numpy") && !reference.equals("none")) {
            throw new UserException("--reference must be 'numpy' or 'none', got '" + reference + "'");
        }
        List<GemmBenchmark.Case> cases = new ArrayList<>();
        if (sizes == null) {
            cases.addAll(GemmBenchmark.square(List.of(256, 1024, 2048), forms));
            cases.addAll(GemmBenchmark.layers(4096, new int[] {128, 256, 512}, forms));
        } else {
            for (int s : sizes) {
                if (s < 1 || s > 8192) {
                    throw new UserException("--size must be between 1 and 8192, got " + s);
                }
            }
            cases.addAll(GemmBenchmark.square(sizes, forms));
        }
        int t = compute.threads();
        run(cases, t, compute::backend, seconds, reference.equals("numpy"), json.enabled(), spec.commandLine().getOut());
        return 0;
    }

    static List<GemmForm> parseForms(String form) {
        if (form.equalsIgnoreCase("all")) {
            return Arrays.asList(GemmForm.values());
        }
        for (GemmForm f : GemmForm.values()) {
            if (f.name().equalsIgnoreCase(form)) {
                return List.of(f);
            }
        }
        throw new UserException("--form must be AB, ABt, AtB or all, got '" + form + "'");
    }

    /** Measurement rounds: Chimera and numpy alternate, so that both see the machine's quiet and busy spells. */
    static final int ROUNDS = 3;

    /**
     * Times every case on Chimera and, if asked, on numpy, alternating between them over
     * {@link #ROUNDS} rounds of seconds/ROUNDS each and keeping each one's best; prints a table
     * or JSON lines. The reference runs OpenBLAS's kernel for the vector width the JVM runs
     * ({@link NumpyReference#coretypeFor}), named in the output.
     */
    static void run(List<GemmBenchmark.Case> cases, int threads, Function<ComputePool, Backend> backends,
                    double seconds, boolean withNumpy, boolean json, PrintWriter out) {
        StringBuilder why = new StringBuilder();
        NumpyReference numpy = withNumpy ? NumpyReference.start(threads, why) : null;
        String coretype = NumpyReference.coretype();
        String reference = !withNumpy ? "none" : numpy == null ? "numpy unavailable: " + why : numpy.description();
        try (ComputePool pool = new ComputePool(threads)) {
            Backend kernels = backends.apply(pool);
            if (!json) {
                out.printf(Locale.ROOT, "GEMM fp32, %d thread(s), Chimera kernels %s; reference: %s%s;%n"
                                + "best of %d alternating rounds of %.2f s each%n",
                        threads, kernels.name(), reference,
                        !withNumpy ? "" : coretype.equals(NumpyReference.OWN_CHOICE) ? ", OpenBLAS's own kernel choice"
                                : ", OPENBLAS_CORETYPE=" + coretype, ROUNDS, seconds / ROUNDS);
                out.printf(Locale.ROOT, "%-22s %-4s %6s %6s %6s %14s %12s %7s%n",
                        "case", "form", "m", "n", "k", "chimera GF/s", "numpy GF/s", "ratio");
            }
            for (GemmBenchmark.Case c : cases) {
                double gflops = 0;
                double ref = numpy == null ? Double.NaN : 0;
                for (int round = 0; round < ROUNDS; round++) {
                    gflops = Math.max(gflops, GemmBenchmark.measure(kernels, c, seconds / ROUNDS));
                    if (numpy != null) {
                        ref = Math.max(ref, numpy.measure(c, seconds / ROUNDS));
                    }
                }
                print(out, json, c, threads, gflops, ref, reference, coretype, withNumpy);
            }
        } finally {
            if (numpy != null) {
                numpy.close();
            }
        }
    }

    private static void print(PrintWriter out, boolean json, GemmBenchmark.Case c, int threads, double gflops,
                              double numpy, String reference, String coretype, boolean withNumpy) {
        if (json) {
            JsonLine line = new JsonLine().put("op", "gemm").put("case", c.label).put("form", c.form.name())
                    .put("m", c.m).put("n", c.n).put("k", c.k).put("threads", threads)
                    .put("gflops", gflops, 1);
            if (withNumpy) {
                line.put("numpy_gflops", numpy, 1).put("ratio", gflops / numpy, 3).put("reference", reference)
                        .put("reference_coretype", coretype);
            }
            out.println(line);
        } else {
            out.printf(Locale.ROOT, "%-22s %-4s %6d %6d %6d %14.1f %12s %7s%n", c.label, c.form, c.m, c.n,
                    c.k, gflops, Double.isNaN(numpy) ? "-" : String.format(Locale.ROOT, "%.1f", numpy),
                    Double.isNaN(numpy) ? "-" : String.format(Locale.ROOT, "%.2f", gflops / numpy));
        }
        out.flush();
    }
}
