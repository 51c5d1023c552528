package dev.chimera.streaming.cli;

import dev.chimera.runtime.DemoPart;
import dev.chimera.timeseries.cli.TsDemo;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import picocli.CommandLine.Option;

/**
 * The stream consumer's part of {@code chimera demo}: ETTh1 (every column a series) replayed into a
 * Chronicle queue, {@code stream run} draining it with the shipped Fourier model, the first forecast
 * as {@code stream tail --json} prints it, and a second run over the same input writing nothing
 * twice (it restores its snapshot and reads the output's tail).
 */
public final class StreamDemo implements DemoPart {
    private static final String MODEL = "etth1-fourier";
    /** How much of a forecast line the demo prints. */
    private static final int SHOWN_CHARS = 240;

    @Option(names = "--stream-csv", paramLabel = "F",
            description = "Data the stream part replays (default: the time-series part's, ETTh1).")
    Path csv;

    @Override
    public List<String> description() {
        return List.of("  stream: ETTh1 replayed into a Chronicle queue, 'stream run' forecasting each completed segment "
                + "of every series with " + MODEL + ", and a rerun that writes nothing twice");
    }

    @Override
    public int run(Context context) throws IOException {
        PrintWriter out = context.out();
        Path data = csv != null ? csv : TsDemo.defaultData();
        out.println("== stream: " + MODEL + " on " + data + " through Chronicle queues");
        out.flush();
        if (!Files.isRegularFile(data)) {
            out.println("SKIPPED: " + data + " is not here; pass --stream-csv F to run this part");
            out.flush();
            return 0;
        }
        Path dir = Files.createTempDirectory("chimera-stream-demo");
        try {
            String in = dir.resolve("in").toString();
            String forecasts = dir.resolve("out").toString();
            int code = step(context, "stream", "replay", "--csv", data.toString(), "--to", in, "--series-from-columns");
            for (int run = 0; run < 2 && code == 0; run++) {
                code = step(context, "stream", "run", "--model", MODEL, "--in", in, "--out", forecasts, "--drain",
                        "--status-interval", "0");
            }
            if (code != 0) {
                return code;
            }
            StringWriter tail = new StringWriter();
            code = context.commands().run(new PrintWriter(tail), context.err(), "stream", "tail", "--queue", forecasts,
                    "--json", "--from-start", "--drain");
            List<String> lines = tail.toString().lines().toList();
            out.println("   chimera stream tail --queue " + forecasts + " --json --from-start --drain: " + lines.size()
                    + " forecasts after both runs; the first:");
            if (!lines.isEmpty()) {
                String first = lines.get(0);
                out.println("   " + (first.length() > SHOWN_CHARS ? first.substring(0, SHOWN_CHARS) + " ..." : first));
            }
            out.flush();
            return code;
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Runs one chimera command, showing it and its last stderr line (its summary). */
    private static int step(Context context, String... args) {
        PrintWriter out = context.out();
        out.println("   chimera " + String.join(" ", args));
        out.flush();
        StringWriter err = new StringWriter();
        StringWriter stdout = new StringWriter();
        int code = context.commands().run(new PrintWriter(stdout), new PrintWriter(err), args);
        List<String> said = Stream.concat(stdout.toString().lines(), err.toString().lines())
                .filter(l -> l.startsWith("appended") || l.startsWith("stream run: ") && l.contains(" inputs =")
                        || l.contains("error")).toList();
        said.forEach(l -> out.println("      " + l));
        out.flush();
        return code;
    }
}
