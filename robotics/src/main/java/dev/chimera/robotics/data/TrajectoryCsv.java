package dev.chimera.robotics.data;

import dev.chimera.runtime.UserException;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Reads users' action trajectories from CSV (UTF-8, RFC 4180, parsed by Commons CSV): a header
 * {@code episode,timestamp,<one column per DoF>}, then one row per action. The episode is any
 * string or number, and an episode's rows are contiguous; timestamps are seconds (a decimal
 * number) or ISO-8601 date-times (with or without an offset; without one, UTC), strictly
 * increasing within an episode. The rate is the reciprocal of the median step between
 * consecutive timestamps of an episode, unless given. Blank lines are skipped. Every mistake is a
 * one-line {@link UserException} naming the file, the line and what was expected.
 */
public final class TrajectoryCsv {
    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
    private static final CSVFormat FORMAT = CSVFormat.DEFAULT.builder().setIgnoreEmptyLines(false).setTrim(true)
            .get();

    private TrajectoryCsv() {
    }

    /**
     * @param gripperColumns names of the DoF columns that are binary grippers
     * @param rateHz         the sampling rate, or 0 to infer it from the timestamps
     */
    public static Trajectories read(Path file, List<String> gripperColumns, double rateHz) {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
             CSVParser parser = CSVParser.parse(reader, FORMAT)) {
            return new Reading(file.toString(), parser).read(gripperColumns, rateHz);
        } catch (IOException | UncheckedIOException e) {
            throw new UserException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** One pass over a file: its records with their line numbers, and the episodes so far. */
    private static final class Reading {
        private final String source;
        private final CSVParser parser;
        private final Iterator<CSVRecord> records;
        private long line;
        private boolean isoTimes;

        Reading(String source, CSVParser parser) {
            this.source = source;
            this.parser = parser;
            this.records = parser.iterator();
        }

        Trajectories read(List<String> gripperColumns, double rateHz) {
            CSVRecord header = next();
            if (header == null) {
                throw error("the file is empty; expected a header episode,timestamp,<DoF columns> and rows");
            }
            List<String> names = new ArrayList<>(header.toList());
            names.set(0, names.get(0).replace("\uFEFF", "").strip());
            if (names.size() < 3) {
                throw error("the header has " + names.size() + " columns; expected episode,timestamp and at least "
                        + "one DoF column");
            }
            if (isTime(names.get(1))) {
                throw error("found data where the header should be; expected a header such as "
                        + "episode,timestamp,x,y,z,gripper");
            }
            List<String> dofNames = names.subList(2, names.size());
            if (new HashSet<>(dofNames).size() != dofNames.size()) {
                throw error("the header names a DoF column twice; expected distinct names, got " + dofNames);
            }
            boolean[] gripper = new boolean[dofNames.size()];
            for (String g : gripperColumns) {
                int d = dofNames.indexOf(g.strip());
                if (d < 0) {
                    throw new UserException(source + ": unknown --gripper column '" + g + "'; the DoF columns are "
                            + String.join(", ", dofNames));
                }
                gripper[d] = true;
            }
            List<double[][]> episodes = new ArrayList<>();
            List<Double> stepsSeconds = new ArrayList<>();
            Set<String> finished = new HashSet<>();
            String episode = null;
            List<double[]> frames = new ArrayList<>();
            long firstSecond = 0;
            int firstNano = 0;
            double last = 0;
            int rows = 0;
            for (CSVRecord r = next(); r != null; r = next()) {
                if (r.size() != names.size()) {
                    throw error("found " + r.size() + " cells; expected " + names.size() + " as in the header");
                }
                String id = r.get(0);
                if (!id.equals(episode)) {
                    if (finished.contains(id)) {
                        throw error("episode '" + id + "' appears again after other episodes; expected the rows of "
                                + "an episode to be contiguous");
                    }
                    if (episode != null) {
                        finished.add(episode);
                        episodes.add(frames.toArray(new double[0][]));
                        frames.clear();
                    }
                    episode = id;
                }
                Instant at = time(r.get(1), rows == 0);
                if (rows == 0) {
                    firstSecond = at.getEpochSecond();
                    firstNano = at.getNano();
                }
                double seconds = (at.getEpochSecond() - firstSecond) + (at.getNano() - firstNano) * 1e-9;
                if (!frames.isEmpty()) {
                    if (!(seconds > last)) {
                        throw error("timestamp '" + r.get(1) + "' is not after the one before it in episode '" + id
                                + "'; expected increasing timestamps within an episode");
                    }
                    stepsSeconds.add(seconds - last);
                }
                last = seconds;
                double[] frame = new double[dofNames.size()];
                for (int d = 0; d < frame.length; d++) {
                    frame[d] = number(r.get(d + 2), names.get(d + 2));
                }
                frames.add(frame);
                rows++;
            }
            if (episode != null) {
                episodes.add(frames.toArray(new double[0][]));
            }
            if (rows < 2 || stepsSeconds.isEmpty() && !(rateHz > 0)) {
                throw new UserException(source + ": too few rows (" + rows + "); expected at least two rows in an "
                        + "episode, so that the rate and a chunk can be had");
            }
            double rate = rateHz > 0 ? rateHz : 1.0 / median(stepsSeconds);
            return new Trajectories(dofNames, gripper, rate, episodes);
        }

        private CSVRecord next() {
            try {
                while (true) {
                    long before = parser.getCurrentLineNumber();
                    if (!records.hasNext()) {
                        return null;
                    }
                    CSVRecord r = records.next();
                    line = before + 1;
                    if (!(r.size() == 1 && r.get(0).isEmpty())) {
                        return r;
                    }
                }
            } catch (UncheckedIOException | IllegalStateException e) {
                throw error("not readable as CSV (" + e.getMessage() + "); expected comma-separated cells");
            }
        }

        private UserException error(String what) {
            return new UserException(source + ": line " + line + ": " + what);
        }

        private double number(String text, String column) {
            if (!NUMBER.matcher(text).matches()) {
                throw error("column '" + column + "' holds '" + text + "'; expected a decimal number");
            }
            return Double.parseDouble(text);
        }

        /** Seconds or an ISO-8601 date-time, the same kind throughout the file. */
        private Instant time(String text, boolean first) {
            boolean numeric = NUMBER.matcher(text).matches();
            Instant at = numeric ? seconds(Double.parseDouble(text)) : iso(text);
            if (at == null) {
                throw error("timestamp '" + text + "' is neither seconds nor an ISO-8601 date-time; expected e.g. "
                        + "0.02 or 2024-05-01T12:00:00.020");
            }
            if (first) {
                isoTimes = !numeric;
            } else if (isoTimes == numeric) {
                throw error("timestamp '" + text + "' mixes seconds and date-times; expected one kind in the file");
            }
            return at;
        }

        private static Instant seconds(double s) {
            double whole = Math.floor(s);
            return Instant.ofEpochSecond((long) whole, Math.round((s - whole) * 1e9));
        }

        private static Instant iso(String text) {
            String t = text.replace(' ', 'T');
            try {
                return OffsetDateTime.parse(t).toInstant();
            } catch (DateTimeParseException e) {
                try {
                    return LocalDateTime.parse(t).toInstant(ZoneOffset.UTC);
                } catch (DateTimeParseException e2) {
                    return null;
                }
            }
        }

        private boolean isTime(String text) {
            return NUMBER.matcher(text).matches() || iso(text) != null;
        }

        private static double median(List<Double> values) {
            double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
            Arrays.sort(v);
            int n = v.length;
            return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
        }
    }
}
