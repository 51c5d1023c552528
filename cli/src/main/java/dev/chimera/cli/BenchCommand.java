package dev.chimera.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code chimera bench ...}: benchmarks that print figures beside a reference measured in the same
 * run: the core's (gemm, train-step, step, long), then each domain's, which the domain owns.
 */
@Command(name = "bench",
        mixinStandardHelpOptions = true,
        description = "Benchmarks; each prints its figures and a reference measured in the same run.",
        subcommands = {BenchGemmCommand.class, BenchTrainStepCommand.class, BenchStepCommand.class,
                BenchLongCommand.class,
                dev.chimera.genomics.cli.BenchScoreCommand.class, dev.chimera.timeseries.cli.BenchForecastCommand.class,
                dev.chimera.streaming.cli.BenchStreamCommand.class, dev.chimera.robotics.cli.BenchControllerCommand.class,
                dev.chimera.cuda.cli.BenchGpuCommand.class})
final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "choose a benchmark, e.g. 'chimera bench gemm'");
    }
}
