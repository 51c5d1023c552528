package dev.chimera.robotics.data;

import dev.chimera.runtime.UserException;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds episodes from the rows of a demonstration file, in file order, checking what the rows
 * must satisfy whatever the file format: finite values, whole-number indices, each episode's rows
 * together and in increasing episode order, frames numbered 0, 1, 2, ... without gaps, timestamps
 * equal to frame_index / rate, and one success flag (0 or 1) per episode.
 */
final class EpisodeAssembler {
    /**
     * Timestamps may differ from frame_index / rate by this much (s): files written as float32
     * (as LeRobot's are) keep about 1e-6 s at 10 s; a wrong rate is off by a frame (20 ms at 50 Hz).
     */
    static final double TIMESTAMP_TOLERANCE = 1e-4;

    private final String source;
    private final double rateHz;
    private final List<Episode> episodes = new ArrayList<>();
    private final List<double[]> observations = new ArrayList<>();
    private final List<double[]> actions = new ArrayList<>();
    private long episode = -1;
    private long frame;
    private double success;

    EpisodeAssembler(String source, double rateHz) {
        this.source = source;
        this.rateHz = rateHz;
    }

    /** Adds one row, (COLUMNS) values in {@link DemoSchema#COLUMNS} order, found at {@code where} ("line 7"). */
    void add(double[] row, String where) {
        for (int c = 0; c < row.length; c++) {
            if (!Double.isFinite(row[c])) {
                throw error(where, c, "found " + row[c] + "; expected a finite number");
            }
            if (DemoSchema.whole(c) && (row[c] != Math.rint(row[c]) || row[c] < 0 || row[c] > Integer.MAX_VALUE)) {
                throw error(where, c, "found " + row[c] + "; expected a whole number from 0 to " + Integer.MAX_VALUE);
            }
        }
        long e = (long) row[0];
        long f = (long) row[1];
        double s = row[DemoSchema.SUCCESS_COLUMN];
        if (e != episode) {
            if (e < episode) {
                throw error(where, 0, "found episode " + e + " after episode " + episode
                        + "; expected each episode's rows together, in increasing episode order");
            }
            if (f != 0) {
                throw error(where, 1, "found frame " + f + " at the start of episode " + e + "; expected 0");
            }
            if (s != 0 && s != 1) {
                throw error(where, DemoSchema.SUCCESS_COLUMN, "found " + s + "; expected 0 or 1");
            }
            finishEpisode();
            episode = e;
            success = s;
        } else {
            if (f != frame + 1) {
                throw error(where, 1, "found frame " + f + " after frame " + frame + " of episode " + e
                        + "; expected " + (frame + 1) + " (consecutive frames)");
            }
            if (s != success) {
                throw error(where, DemoSchema.SUCCESS_COLUMN, "found " + s + " where earlier rows of episode " + e
                        + " have " + success + "; expected one value per episode");
            }
        }
        frame = f;
        double expected = f / rateHz;
        if (!(Math.abs(row[2] - expected) <= TIMESTAMP_TOLERANCE)) {
            throw error(where, 2, "found " + row[2] + " s at frame " + f + "; expected frame_index / " + rateHz
                    + " Hz = " + expected + " s");
        }
        int obs = DemoSchema.OBSERVATION_NAMES.size();
        int act = DemoSchema.ACTION_NAMES.size();
        double[] o = new double[obs];
        double[] a = new double[act];
        System.arraycopy(row, DemoSchema.OBSERVATION_OFFSET, o, 0, obs);
        System.arraycopy(row, DemoSchema.ACTION_OFFSET, a, 0, act);
        observations.add(o);
        actions.add(a);
    }

    /** The episodes read; {@code headerWhere} names the header for the error when there are no rows. */
    List<Episode> finish(String headerWhere) {
        finishEpisode();
        if (episodes.isEmpty()) {
            throw new UserException(source + ": " + headerWhere + ": found the column names but no rows; expected "
                    + "one row per frame");
        }
        return List.copyOf(episodes);
    }

    private void finishEpisode() {
        if (observations.isEmpty()) {
            return;
        }
        episodes.add(new Episode((int) episode, observations.toArray(new double[0][]), actions.toArray(new double[0][]),
                success == 1));
        observations.clear();
        actions.clear();
    }

    private UserException error(String where, int column, String what) {
        return new UserException(source + ": " + where + ", column '" + DemoSchema.COLUMNS.get(column) + "': " + what);
    }
}
