package dev.chimera.streaming.flink;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/** Synthetic input files for the job: seeded daily-cycle series on an hourly grid, interleaved by timestamp. */
final class ObservationFiles {
    static final long T0 = 1_483_228_800L; // 2017-01-01T00:00Z
    static final long HOUR = 3600;

    private ObservationFiles() {
    }

    /**
     * The lines of a file (header first) holding {@code series} series of {@code channels} channels and
     * {@code length} hourly points each; {@code extra} puts a line of its own before the data line of
     * that position. Timestamps alternate between epoch seconds and ISO-8601 by line.
     */
    static List<String> lines(int series, int channels, int length, long seed, Map<Integer, String> extra) {
        Random r = new Random(seed);
        double[] phase = new double[series * channels];
        for (int k = 0; k < phase.length; k++) {
            phase[k] = r.nextDouble() * 6.28;
        }
        List<String> lines = new ArrayList<>();
        StringBuilder header = new StringBuilder("series,timestamp");
        for (int c = 0; c < channels; c++) {
            header.append(",value").append(c + 1);
        }
        lines.add(header.toString());
        int data = 0;
        for (int t = 0; t < length; t++) {
            for (int s = 0; s < series; s++) {
                if (extra.containsKey(data)) {
                    lines.add(extra.get(data));
                }
                long ts = T0 + t * HOUR;
                StringBuilder line = new StringBuilder("s" + s + "," + (lines.size() % 2 == 0 ? Long.toString(ts)
                        : Instant.ofEpochSecond(ts).toString()));
                for (int c = 0; c < channels; c++) {
                    double v = 10 + s + c + 3 * Math.sin(2 * Math.PI * t / 24 + phase[s * channels + c])
                            + r.nextGaussian();
                    line.append(',').append(String.format(Locale.ROOT, "%.6f", v));
                }
                lines.add(line.toString());
                data++;
            }
        }
        return lines;
    }

    static Path write(Path file, List<String> lines) {
        try {
            return Files.write(file, lines);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
