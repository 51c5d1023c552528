package dev.chimera.robotics.data;

import dev.chimera.runtime.UserException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The columns of a demonstration file, one row per frame, in the manner of LeRobot datasets:
 * {@code episode_index, frame_index, timestamp} (s, = frame_index / rate), the pick-place
 * simulator's 14 observation values as {@code observation.<name>}, the 4 action values as
 * {@code action.<name>}, and {@code episode_success} (0 or 1, the same on every row of an
 * episode). Rows of an episode are together, frames numbered from 0 without gaps.
 */
public final class DemoSchema {
    public static final String EPISODE_INDEX = "episode_index";
    public static final String FRAME_INDEX = "frame_index";
    public static final String TIMESTAMP = "timestamp";
    public static final String EPISODE_SUCCESS = "episode_success";

    /** In the order of {@code PickPlaceSim}'s observation. */
    public static final List<String> OBSERVATION_NAMES = List.of("ee_x", "ee_y", "ee_z", "ee_vx", "ee_vy", "ee_vz",
            "gripper", "object_x", "object_y", "object_z", "goal_x", "goal_y", "goal_z", "held");
    /** Setpoint x, y, z (m) and gripper command (0 open, 1 closed). */
    public static final List<String> ACTION_NAMES = List.of("x", "y", "z", "gripper");

    /** Every column, in file order. */
    public static final List<String> COLUMNS;
    /** Where the observation and action values start in {@link #COLUMNS}. */
    static final int OBSERVATION_OFFSET = 3;
    static final int ACTION_OFFSET = OBSERVATION_OFFSET + OBSERVATION_NAMES.size();
    static final int SUCCESS_COLUMN = ACTION_OFFSET + ACTION_NAMES.size();

    static {
        List<String> columns = new ArrayList<>(List.of(EPISODE_INDEX, FRAME_INDEX, TIMESTAMP));
        for (String name : OBSERVATION_NAMES) {
            columns.add("observation." + name);
        }
        for (String name : ACTION_NAMES) {
            columns.add("action." + name);
        }
        columns.add(EPISODE_SUCCESS);
        COLUMNS = List.copyOf(columns);
    }

    private DemoSchema() {
    }

    /** Writes one row's values in {@link #COLUMNS} order into {@code row} (COLUMNS); indices and flags are whole. */
    static void row(Episode episode, int frame, double rateHz, double[] row) {
        row[0] = episode.index();
        row[1] = frame;
        row[2] = frame / rateHz;
        System.arraycopy(episode.observations()[frame], 0, row, OBSERVATION_OFFSET, OBSERVATION_NAMES.size());
        System.arraycopy(episode.actions()[frame], 0, row, ACTION_OFFSET, ACTION_NAMES.size());
        row[SUCCESS_COLUMN] = episode.success() ? 1 : 0;
    }

    /** Whether column c holds a whole number (index or flag) rather than a measurement. */
    static boolean whole(int c) {
        return c == 0 || c == 1 || c == SUCCESS_COLUMN;
    }

    /** Refuses episodes whose widths do not fit the columns. */
    static void check(List<Episode> episodes, double rateHz) {
        if (episodes.isEmpty() || !(rateHz > 0)) {
            throw new IllegalArgumentException("a demonstration file needs at least one episode and a positive rate, got "
                    + episodes.size() + " episodes at " + rateHz + " Hz");
        }
        for (Episode e : episodes) {
            if (e.observations()[0].length != OBSERVATION_NAMES.size() || e.actions()[0].length != ACTION_NAMES.size()) {
                throw new IllegalArgumentException("episode " + e.index() + ": " + e.observations()[0].length
                        + " observation and " + e.actions()[0].length + " action values; the file has "
                        + OBSERVATION_NAMES.size() + " and " + ACTION_NAMES.size());
            }
        }
    }

    /**
     * Where each of {@link #COLUMNS} is in a file's {@code header}, (COLUMNS); other columns are
     * allowed (a LeRobot export has more) and left unread. {@code where} names the header ("line 1").
     */
    static int[] locate(List<String> header, String source, String where) {
        Map<String, Integer> position = new HashMap<>();
        for (int c = 0; c < header.size(); c++) {
            Integer before = position.put(header.get(c), c);
            if (before != null) {
                throw new UserException(source + ": " + where + ", column '" + header.get(c) + "': found the name again "
                        + "in column " + (c + 1) + " (first in column " + (before + 1) + "); expected each name once");
            }
        }
        int[] found = new int[COLUMNS.size()];
        for (int i = 0; i < found.length; i++) {
            Integer c = position.get(COLUMNS.get(i));
            if (c == null) {
                throw new UserException(source + ": " + where + ": no column '" + COLUMNS.get(i) + "'; expected the "
                        + COLUMNS.size() + " columns of a demonstration file: episode_index, frame_index, timestamp, "
                        + "observation.<" + String.join("|", OBSERVATION_NAMES) + ">, action.<"
                        + String.join("|", ACTION_NAMES) + ">, episode_success");
            }
            found[i] = c;
        }
        return found;
    }
}
