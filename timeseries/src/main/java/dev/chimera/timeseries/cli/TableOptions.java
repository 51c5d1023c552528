package dev.chimera.timeseries.cli;

import dev.chimera.timeseries.data.MissingPolicy;
import dev.chimera.timeseries.data.ReadOptions;
import dev.chimera.timeseries.data.SeriesFiles;
import dev.chimera.timeseries.data.SeriesTable;
import dev.chimera.timeseries.data.Split;
import dev.chimera.timeseries.data.Splits;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The data options every {@code ts} command shares: the file (wide or long CSV, or Arrow), the
 * columns to keep, the missing-value policy and the train/validation/test split.
 */
public final class TableOptions {
    @Option(names = "--csv", required = true, paramLabel = "F",
            description = "Wide CSV (timestamp, then one column per series), long CSV (series,timestamp,value), "
                    + "or an Arrow IPC file of either shape.")
    Path file;

    @Option(names = "--target", split = ",", paramLabel = "COL",
            description = "Only these columns (default: every series column).")
    List<String> target;

    @Option(names = "--on-missing", paramLabel = "POLICY", defaultValue = "error",
            description = "Gaps and NaN: error, interpolate or mask (default: ${DEFAULT-VALUE}).")
    String onMissing;

    @Option(names = "--split", paramLabel = "SPEC",
            description = "Train/validation/test as fractions (0.7,0.1,0.2) or rows (8640,2880,2880); default: "
                    + "ETT's month borders for ETTh*/ETTm* files, 70/10/20 by time for others.")
    String split;

    public Path file() {
        return file;
    }

    public SeriesTable read() {
        ReadOptions options = ReadOptions.defaults().withOnMissing(MissingPolicy.parse(onMissing));
        if (target != null && !target.isEmpty()) {
            options = options.withTarget(target);
        }
        return SeriesFiles.read(file, options);
    }

    /** The split of the table, checked to leave each part at least one window of lookback + one segment. */
    public Split split(SeriesTable table, int lookback, int segment) {
        Split s = Splits.resolve(split, table);
        Splits.requireLength(table, s, lookback, segment);
        return s;
    }
}
