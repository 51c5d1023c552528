package dev.chimera.streaming.record;

import java.util.Arrays;
import java.util.Objects;
import net.openhft.chronicle.wire.WireIn;
import net.openhft.chronicle.wire.WireOut;

/**
 * A probabilistic forecast of a series, answering one observation of the input queue.
 *
 * <p>Values of a series with C channels and a horizon of H points are flat, channel-major: point
 * value t of channel c is {@code point[c * H + t]}, and so for each quantile level. A single-channel
 * series (C = 1) simply has H values.
 *
 * <p>Wire format, version 1 (event {@code forecast}):
 * <pre>
 *   v:          int        format version (1)
 *   series:     text       the series id
 *   inputIndex: int64      the input queue's index of the observation this forecast answers
 *   timestamp:  int64      epoch seconds, UTC, of the first forecast point
 *   horizon:    int        H, points per channel
 *   channels:   int        C
 *   point:      [float64]  C*H point values (fixed 8-byte doubles)
 *   levels:     [float64]  quantile levels, increasing in (0, 1); may be empty
 *   quantiles:  [[float64]] one sequence of C*H values per level, in the order of levels
 * </pre>
 *
 * @param series     the series id (not empty)
 * @param inputIndex the input queue's index of the observation it answers
 * @param timestamp  epoch seconds of the first forecast point
 * @param horizon    points per channel, at least 1
 * @param channels   channels, at least 1
 * @param point      (C, H) flat; not copied
 * @param levels     the quantile levels, strictly increasing in (0, 1); not copied
 * @param quantiles  (levels, C*H); not copied
 */
public record ForecastRecord(String series, long inputIndex, long timestamp, int horizon, int channels,
                             double[] point, double[] levels, double[][] quantiles) implements StreamRecord {

    /** The format version this build writes. */
    public static final int VERSION = 1;

    public ForecastRecord {
        Objects.requireNonNull(series, "series");
        Objects.requireNonNull(point, "point");
        Objects.requireNonNull(levels, "levels");
        Objects.requireNonNull(quantiles, "quantiles");
        String problem = problem(series, horizon, channels, point, levels, quantiles);
        if (problem != null) {
            throw new IllegalArgumentException("series " + series + ": a forecast with " + problem);
        }
    }

    /** A single-channel forecast without quantiles. */
    public static ForecastRecord point(String series, long inputIndex, long timestamp, double[] point) {
        return new ForecastRecord(series, inputIndex, timestamp, point.length, 1, point, new double[0],
                new double[0][]);
    }

    /** What is inconsistent about these fields, or null when nothing is. */
    private static String problem(String series, int horizon, int channels, double[] point, double[] levels,
                                  double[][] quantiles) {
        if (series.isEmpty()) {
            return "an empty series id";
        }
        if (horizon < 1 || channels < 1) {
            return "horizon " + horizon + " and " + channels + " channels; expected both at least 1";
        }
        if ((long) horizon * channels != point.length) {
            return point.length + " point values; expected channels * horizon = " + channels + " * " + horizon;
        }
        if (quantiles.length != levels.length) {
            return quantiles.length + " quantile rows for " + levels.length + " levels";
        }
        for (int q = 0; q < levels.length; q++) {
            if (!(levels[q] > 0 && levels[q] < 1) || (q > 0 && !(levels[q] > levels[q - 1]))) {
                return "levels " + Arrays.toString(levels) + "; expected strictly increasing levels in (0, 1)";
            }
            if (quantiles[q] == null || quantiles[q].length != point.length) {
                return (quantiles[q] == null ? 0 : quantiles[q].length) + " values at level " + levels[q]
                        + "; expected " + point.length;
            }
        }
        return null;
    }

    @Override
    public RecordType type() {
        return RecordType.FORECAST;
    }

    @Override
    public void writeFields(WireOut wire) {
        wire.write("v").int32(VERSION);
        wire.write("series").text(series);
        wire.write("inputIndex").int64(inputIndex);
        wire.write("timestamp").int64(timestamp);
        wire.write("horizon").int32(horizon);
        wire.write("channels").int32(channels);
        WireArrays.write(wire.write("point"), point);
        WireArrays.write(wire.write("levels"), levels);
        WireArrays.writeRows(wire.write("quantiles"), quantiles);
    }

    /** Reads the fields {@link #writeFields} wrote (of any version up to {@link #VERSION}). */
    static ForecastRecord read(WireIn wire) {
        RecordFields.version(wire, RecordType.FORECAST);
        String series = RecordFields.text(wire, "series");
        long inputIndex = RecordFields.required(wire, "inputIndex").int64();
        long timestamp = RecordFields.required(wire, "timestamp").int64();
        int horizon = RecordFields.required(wire, "horizon").int32();
        int channels = RecordFields.required(wire, "channels").int32();
        double[] point = WireArrays.read(RecordFields.required(wire, "point"));
        double[] levels = WireArrays.read(RecordFields.required(wire, "levels"));
        double[][] quantiles = WireArrays.readRows(RecordFields.required(wire, "quantiles"));
        String problem = problem(series, horizon, channels, point, levels, quantiles);
        if (problem != null) {
            throw new RecordFormatException("a forecast of series " + series + " with " + problem);
        }
        return new ForecastRecord(series, inputIndex, timestamp, horizon, channels, point, levels, quantiles);
    }

    /** Channel c's point values, H of them (a copy). */
    public double[] point(int c) {
        return Arrays.copyOfRange(point, c * horizon, (c + 1) * horizon);
    }

    /** Channel c's values at level q, H of them (a copy). */
    public double[] quantile(int q, int c) {
        return Arrays.copyOfRange(quantiles[q], c * horizon, (c + 1) * horizon);
    }

    // Arrays compare by content, bit for bit (NaN equals NaN, -0.0 differs from 0.0).

    @Override
    public boolean equals(Object o) {
        return o instanceof ForecastRecord f && series.equals(f.series) && inputIndex == f.inputIndex
                && timestamp == f.timestamp && horizon == f.horizon && channels == f.channels
                && Arrays.equals(point, f.point) && Arrays.equals(levels, f.levels)
                && Arrays.deepEquals(quantiles, f.quantiles);
    }

    @Override
    public int hashCode() {
        return Objects.hash(series, inputIndex, timestamp, horizon, channels, Arrays.hashCode(point),
                Arrays.hashCode(levels), Arrays.deepHashCode(quantiles));
    }

    @Override
    public String toString() {
        return "ForecastRecord[series=" + series + ", inputIndex=" + inputIndex + ", timestamp=" + timestamp
                + ", horizon=" + horizon + ", channels=" + channels + ", point=" + Arrays.toString(point)
                + ", levels=" + Arrays.toString(levels) + ", quantiles=" + Arrays.deepToString(quantiles) + "]";
    }
}
