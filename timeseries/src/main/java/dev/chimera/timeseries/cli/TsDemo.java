package dev.chimera.timeseries.cli;

import dev.chimera.runtime.Checkout;
import dev.chimera.runtime.DemoPart;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The forecasting part of {@code chimera demo}: the shipped ETTh1 model against the baselines on
 * ETTh1's test part by the standard protocol ({@code ts eval}), then a 336-step forecast from the
 * start of the test part drawn as a fan chart beside the actual values ({@code ts forecast --plot}).
 * ETTh1 is read from the shared data folder next to the checkout; without it the part says so
 * and is skipped.
 */
public final class TsDemo implements DemoPart {
    static final String MODEL_NAME = "etth1-fourier";
    static final String DEFAULT_MODEL = "models/" + MODEL_NAME;
    static final String DEFAULT_DATA = "../shared/data/ett/ETTh1.csv";

    @Option(names = "--ts-model", paramLabel = "DIR",
            description = "Forecasting model for the time-series part (default: " + DEFAULT_MODEL + ").")
    Path model;

    @Option(names = "--ts-csv", paramLabel = "F", description = "Data for the time-series part (default: " + DEFAULT_DATA + ").")
    Path csv;

    @Option(names = "--ts-plot", paramLabel = "F.png", defaultValue = "etth1-forecast.png",
            description = "Where the time-series part draws its fan chart (default: ${DEFAULT-VALUE}).")
    Path plot;

    @Override
    public List<String> description() {
        return List.of("  time series: the shipped ETTh1 forecaster (" + DEFAULT_MODEL + ") and the baselines (ridge, "
                + "repeat-last, seasonal naive, ETS) on ETTh1's test part at horizons 96-720, and a fan chart of a "
                + "336-step forecast");
    }

    @Override
    public int run(Context context) throws IOException {
        PrintWriter out = context.out();
        Path data = csv != null ? csv : defaultData();
        Path dir = model != null ? model : Checkout.shippedModel(MODEL_NAME);
        out.println("== time series: " + dir + " on " + data);
        out.flush();
        if (!Files.isRegularFile(data)) {
            out.println("SKIPPED: " + data + " is not here (the shared data folder next to the checkout); "
                    + "pass --ts-csv F to run this part");
            out.flush();
            return 0;
        }
        String threads = Integer.toString(context.threads());
        int code = context.commands().run(out, context.err(), "ts", "eval", "--model", dir.toString(), "--csv",
                data.toString(), "--threads", threads);
        if (code != 0) {
            return code;
        }
        return context.commands().run(out, context.err(), "ts", "forecast", "--model", dir.toString(), "--csv",
                data.toString(), "--at", "11520", "--horizon", "336", "--out", csvBeside(plot).toString(), "--plot",
                plot.toString(), "--threads", threads);
    }

    /** ETTh1 in the shared data folder next to the checkout (or the working directory's, outside one). */
    public static Path defaultData() {
        Path checkout = Checkout.locate();
        return checkout == null ? Path.of(DEFAULT_DATA) : checkout.resolve(DEFAULT_DATA).normalize();
    }

    /** F.csv beside F.png: where the forecast drawn in the chart is written. */
    private static Path csvBeside(Path png) {
        String name = png.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return png.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + ".csv");
    }
}
