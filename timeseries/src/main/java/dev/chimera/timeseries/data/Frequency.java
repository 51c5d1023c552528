package dev.chimera.timeseries.data;

import java.util.HashMap;
import java.util.Map;

/**
 * The grid step of a series: the most common positive difference between consecutive timestamps
 * (ties go to the smaller step). Every difference must then be a whole multiple of it, a multiple
 * above one being a gap of missing rows; {@link SeriesGrid} checks that and places the rows. A
 * calendar frequency whose steps differ in length (months, years) has no single step and is refused
 * there.
 */
final class Frequency {

    private Frequency() {
    }

    /**
     * The most common positive difference of {@code times} (sorted, at least two), in seconds.
     *
     * @throws IllegalArgumentException if no difference is positive
     */
    static long infer(long[] times) {
        Map<Long, Integer> counts = new HashMap<>();
        for (int i = 1; i < times.length; i++) {
            long d = times[i] - times[i - 1];
            if (d > 0) {
                counts.merge(d, 1, Integer::sum);
            }
        }
        long best = 0;
        int bestCount = 0;
        for (Map.Entry<Long, Integer> e : counts.entrySet()) {
            long d = e.getKey();
            int c = e.getValue();
            if (c > bestCount || (c == bestCount && d < best)) {
                best = d;
                bestCount = c;
            }
        }
        if (bestCount == 0) {
            throw new IllegalArgumentException("no positive difference among " + times.length + " timestamps");
        }
        return best;
    }

    /** A step for messages: {@code 1d}, {@code 1h}, {@code 15min}, {@code 90s}. */
    static String describe(long seconds) {
        if (seconds % 86_400 == 0) {
            return seconds / 86_400 + "d";
        }
        if (seconds % 3_600 == 0) {
            return seconds / 3_600 + "h";
        }
        if (seconds % 60 == 0) {
            return seconds / 60 + "min";
        }
        return seconds + "s";
    }
}
