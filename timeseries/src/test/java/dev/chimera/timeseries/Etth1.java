package dev.chimera.timeseries;

import dev.chimera.timeseries.data.Split;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Assumptions;

/**
 * ETTh1 for tests, read directly with Commons CSV (the module's own readers live in {@code data}):
 * the 7 value columns, z-scored with the train part's mean and population standard deviation,
 * and the standard 12/4/4-month split. The file is found by walking up from the working directory
 * to {@code shared/data/ett/ETTh1.csv}; when it is absent the calling test is skipped with a
 * message (and a line on stderr, so a skip is seen in the build log).
 */
public final class Etth1 {

    /** Rows 0..8639 train, 8640..11519 validation, 11520..14399 test. */
    public static final Split SPLIT = new Split(8640, 11520, 14400);

    private static final String RELATIVE = "shared/data/ett/ETTh1.csv";

    private Etth1() {
    }

    /** The file, or a skipped test. */
    public static Path fileOrSkip() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(RELATIVE);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        String message = "ETTh1 test skipped: no " + RELATIVE + " above " + Path.of("").toAbsolutePath();
        System.err.println(message);
        Assumptions.abort(message);
        throw new AssertionError("unreachable");
    }

    /** The z-scored values, (7, 17420). */
    public static double[][] scaled(Path file) throws IOException {
        List<double[]> rows = new ArrayList<>();
        try (Reader in = Files.newBufferedReader(file)) {
            CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get();
            for (CSVRecord r : format.parse(in)) {
                double[] v = new double[r.size() - 1];
                for (int c = 1; c < r.size(); c++) {
                    v[c - 1] = Double.parseDouble(r.get(c));
                }
                rows.add(v);
            }
        }
        int channels = rows.get(0).length;
        double[][] y = new double[channels][rows.size()];
        for (int t = 0; t < rows.size(); t++) {
            for (int c = 0; c < channels; c++) {
                y[c][t] = rows.get(t)[c];
            }
        }
        int n = SPLIT.trainEnd();
        for (double[] ch : y) {
            double mean = 0;
            for (int t = 0; t < n; t++) {
                mean += ch[t];
            }
            mean /= n;
            double var = 0;
            for (int t = 0; t < n; t++) {
                var += (ch[t] - mean) * (ch[t] - mean);
            }
            double std = Math.sqrt(var / n);
            for (int t = 0; t < ch.length; t++) {
                ch[t] = (ch[t] - mean) / std;
            }
        }
        return y;
    }
}
