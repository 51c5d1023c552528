package dev.chimera.timeseries.cli;

import picocli.CommandLine.Command;

/** {@code chimera ts}: time-series forecasting (AutoTimes-style segments on the hybrid decoder). */
@Command(name = "ts", mixinStandardHelpOptions = true,
        description = "Time series: train a forecaster, forecast, evaluate against baselines by the standard protocol.",
        subcommands = {TrainCommand.class, ForecastCommand.class, EvalCommand.class, BaselineCommand.class})
public final class TsCommand {
}
