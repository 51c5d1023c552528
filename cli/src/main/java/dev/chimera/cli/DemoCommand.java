package dev.chimera.cli;

import dev.chimera.core.kernel.GemmForm;
import dev.chimera.core.model.ModelConfig;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code chimera demo}: the main job on built-in defaults. Until the DNA model lands this is
 * the benchmark summary of what exists: the CPU GEMM kernels on square and decoder-layer
 * shapes, beside numpy/OpenBLAS measured in the same run, and a training step of the hybrid
 * decoder.
 */
@Command(name = "demo",
        mixinStandardHelpOptions = true,
        description = {"Runs the main job end to end on built-in defaults.",
                "For now: the benchmark summary of what exists (GEMM beside numpy in the same run, "
                        + "a training step of the hybrid decoder)."})
final class DemoCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        List<GemmForm> forms = Arrays.asList(GemmForm.values());
        List<GemmBenchmark.Case> cases = new ArrayList<>(GemmBenchmark.square(List.of(1024), forms));
        cases.addAll(GemmBenchmark.layers(4096, new int[] {256}, forms));
        PrintWriter out = spec.commandLine().getOut();
        out.println("Chimera demo: compute-layer benchmark summary (the DNA demo arrives with the genomics module)");
        int threads = Runtime.getRuntime().availableProcessors();
        BenchGemmCommand.run(cases, threads, 0.5, true, false, out);
        out.println();
        out.println("The hybrid decoder (preset 'small', 7 Mamba2 : 1 attention), forward + backward on random tokens:");
        BenchTrainStepCommand.print(out, false, "small",
                BenchTrainStepCommand.measure(ModelConfig.small(), 1, 512, 2, threads));
        return 0;
    }
}
