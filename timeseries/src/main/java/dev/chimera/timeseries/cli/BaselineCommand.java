package dev.chimera.timeseries.cli;

import dev.chimera.core.kernel.ComputePool;
import dev.chimera.runtime.ComputeOptions;
import dev.chimera.runtime.JsonOption;
import dev.chimera.timeseries.baseline.QuantileLevels;
import dev.chimera.timeseries.data.Scaler;
import dev.chimera.timeseries.data.SeriesTable;
import dev.chimera.timeseries.data.Split;
import dev.chimera.timeseries.eval.BaselineEvaluation;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code chimera ts baseline}: repeat-last, seasonal naive, ridge and ETS on the test part by the standard protocol. */
@Command(name = "baseline", mixinStandardHelpOptions = true,
        description = "Scores the baselines (ridge, repeat-last, seasonal naive, ETS) on the test part.")
public final class BaselineCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    TableOptions data;

    @Option(names = "--lookback", paramLabel = "L", defaultValue = "672", description = "History per forecast (default: ${DEFAULT-VALUE}).")
    int lookback;

    @Mixin
    Horizons horizonOption;

    @Mixin
    BaselineOptions baselineOptions;

    @Mixin
    ComputeOptions compute;

    @Mixin
    JsonOption json;

    @Override
    public Integer call() {
        int[] horizons = horizonOption.checked(spec);
        SeriesTable table = data.read();
        Split split = data.split(table, lookback, horizons[0]);
        Scaler scaler = Scaler.fit(table, split);
        try (ComputePool pool = new ComputePool(compute.threads())) {
            BaselineEvaluation evaluation = new BaselineEvaluation(pool, lookback, horizons, QuantileLevels.defaults());
            Reports.print(spec.commandLine().getOut(), table.name(),
                    evaluation.evaluateAll(baselineOptions.baselines(pool), scaler.scale(table.values()), split),
                    json.enabled());
        }
        return 0;
    }
}
