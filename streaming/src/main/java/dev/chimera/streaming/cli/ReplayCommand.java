package dev.chimera.streaming.cli;

import dev.chimera.runtime.JsonOption;
import dev.chimera.runtime.Progress;
import dev.chimera.streaming.queue.Queues;
import dev.chimera.streaming.queue.RecordAppender;
import dev.chimera.streaming.replay.Pacer;
import dev.chimera.streaming.replay.TableObservations;
import dev.chimera.timeseries.data.MissingPolicy;
import dev.chimera.timeseries.data.ReadOptions;
import dev.chimera.timeseries.data.SeriesFiles;
import dev.chimera.timeseries.data.SeriesTable;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import net.openhft.chronicle.queue.ChronicleQueue;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code chimera stream replay}: the load generator. Reads a whole time-series file first (so a bad
 * file is a one-line error and nothing is appended), then appends its observations in timestamp
 * order to a queue, paced by {@code --rate}. Progress goes to stderr; the last line on stdout says how
 * many observations were appended and their first and last queue index ({@code --json}: as
 * {@code {"observations": N, "series": S, "first_index": I, "last_index": J}}).
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Appends a time-series file's observations to a queue in timestamp order (a load generator).")
public final class ReplayCommand implements Callable<Integer> {
    /** How often a replay without a terminal says how far it is. */
    private static final long NOTE_NANOS = 10_000_000_000L;

    @Spec
    CommandSpec spec;

    @Option(names = "--csv", required = true, paramLabel = "F",
            description = "Wide CSV (timestamp, then one column per series), long CSV (series,timestamp,value), "
                    + "or an Arrow IPC file of either shape.")
    Path file;

    @Option(names = "--to", required = true, paramLabel = "QUEUE",
            description = "The queue directory to append to (created if missing).")
    Path queueDir;

    @Option(names = "--rate", paramLabel = "N/s", converter = Rate.class,
            description = "Observations per second, e.g. 1000 or 1000/s (default: as fast as possible).")
    Double rate;

    @Option(names = "--series-from-columns",
            description = "Wide file: each column is a series of its own (id = column name) with one value; "
                    + "default: one series named after the file whose values are all the columns. "
                    + "A long file is always one series per id.")
    boolean seriesFromColumns;

    @Option(names = "--target", split = ",", paramLabel = "COL",
            description = "Only these columns (wide) or series (long) (default: all).")
    List<String> target;

    @Option(names = "--on-missing", paramLabel = "POLICY", defaultValue = "error",
            description = "Gaps and NaN: error, interpolate or mask (masked values are replayed as NaN; "
                    + "default: ${DEFAULT-VALUE}).")
    String onMissing;

    @Mixin
    JsonOption json;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ReadOptions options = ReadOptions.defaults().withOnMissing(MissingPolicy.parse(onMissing));
        if (target != null && !target.isEmpty()) {
            options = options.withTarget(target);
        }
        boolean perColumn = seriesFromColumns || SeriesFiles.layout(file) == SeriesFiles.Layout.LONG;
        SeriesTable table = SeriesFiles.read(file, options);
        TableObservations observations = new TableObservations(table, perColumn
                ? TableObservations.Series.ONE_PER_COLUMN : TableObservations.Series.ONE_MULTICHANNEL);
        long count = observations.count();
        boolean live = System.console() != null;
        Progress progress = new Progress(err, live, "");
        progress.note(String.format(Locale.ROOT, "replaying %,d observations of %,d series from %s%s", count,
                observations.seriesIds().size(), file,
                rate == null ? "" : String.format(Locale.ROOT, " at %s/s (about %.1f s)", Rate.format(rate), count / rate)));
        Pacer pacer = new Pacer(rate == null ? Double.POSITIVE_INFINITY : rate);
        long first = -1;
        long last = -1;
        long written = 0;
        try (ChronicleQueue queue = Queues.openOrCreate(queueDir, "--to");
             RecordAppender appender = new RecordAppender(queue)) {
            Progress.Step step = progress.step("appending", count, "observations");
            long nextNote = System.nanoTime() + NOTE_NANOS;
            for (long i = 0; i < count; i++) {
                pacer.await(i);
                if (Thread.currentThread().isInterrupted()) {
                    break;
                }
                last = appender.append(observations.get(i).appendedNow());
                if (first < 0) {
                    first = last;
                }
                written++;
                step.update(written);
                if (!live && System.nanoTime() > nextNote) {
                    // Logs and pipes get no bar: a line now and then shows a paced replay is alive.
                    progress.note(String.format(Locale.ROOT, "appended %,d of %,d observations", written, count));
                    nextNote += NOTE_NANOS;
                }
            }
            step.done();
        }
        int series = observations.seriesIds().size();
        out.println(json.enabled()
                ? String.format(Locale.ROOT, "{\"observations\":%d,\"series\":%d,\"first_index\":%d,\"last_index\":%d}",
                        written, series, first, last)
                : String.format(Locale.ROOT, "appended %d observations of %d series to %s: indexes %d to %d",
                        written, series, queueDir, first, last));
        out.flush();
        return 0;
    }
}
