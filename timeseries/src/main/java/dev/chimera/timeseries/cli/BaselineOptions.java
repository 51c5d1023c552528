package dev.chimera.timeseries.cli;

import dev.chimera.core.kernel.ComputePool;
import dev.chimera.timeseries.baseline.Baseline;
import dev.chimera.timeseries.baseline.Ets;
import dev.chimera.timeseries.baseline.RepeatLast;
import dev.chimera.timeseries.baseline.Ridge;
import dev.chimera.timeseries.baseline.SeasonalNaive;
import java.util.List;
import picocli.CommandLine.Option;

/** The baselines of {@code ts eval} and {@code ts baseline}, and the seasonal period they share. */
public final class BaselineOptions {
    @Option(names = "--season", paramLabel = "P",
            description = "Seasonal period for seasonal naive and ETS (default: inferred from the train part).")
    Integer season;

    List<Baseline> baselines(ComputePool pool) {
        SeasonalNaive naive = season == null ? new SeasonalNaive() : new SeasonalNaive(season);
        Ets ets = season == null ? new Ets() : new Ets(season, false);
        return List.of(new Ridge(pool), new RepeatLast(), naive, ets);
    }
}
