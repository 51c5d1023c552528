package dev.chimera.timeseries.data;

import dev.chimera.runtime.UserException;

/**
 * Train / validation / test splits by time, following the long-horizon forecasting benchmarks'
 * data loaders (Informer, Autoformer, AutoTimes):
 *
 * <ul>
 *   <li>{@code ETTh*}: 12 months train, 4 validation, 4 test, months of 30 days of 24 hours, so rows
 *       [0, 8640), [8640, 11520), [11520, 14400); the rest of the file is used by no part
 *       ({@code Dataset_ETT_hour}).</li>
 *   <li>{@code ETTm*}: the same months at 15 minutes, every border times 4 ({@code Dataset_ETT_minute}).</li>
 *   <li>any other file: 70 % train, 20 % test, the rest validation, by time ({@code Dataset_Custom}:
 *       {@code num_train = int(n * 0.7)}, {@code num_test = int(n * 0.2)}, validation what is left).</li>
 * </ul>
 *
 * <p>A {@code --split} value overrides that: three fractions ({@code 0.7,0.1,0.2}, each with a decimal
 * point) or three row counts ({@code 8640,2880,2880}).
 */
public final class Splits {

    /** ETT's hourly borders: 12, 16 and 20 months of 30 days of 24 hours. */
    static final int ETT_HOUR_TRAIN = 12 * 30 * 24;
    static final int ETT_HOUR_VALIDATION = ETT_HOUR_TRAIN + 4 * 30 * 24;
    static final int ETT_HOUR_TEST = ETT_HOUR_VALIDATION + 4 * 30 * 24;
    /** Quarter-hours per hour, for {@code ETTm}. */
    static final int ETT_MINUTE_FACTOR = 4;

    private static final String SPLIT_FORMS = "three fractions train,validation,test such as 0.7,0.1,0.2 or three "
            + "row counts such as 8640,2880,2880";

    private Splits() {
    }

    /** The benchmark protocol's split of {@code table}, chosen by its name (see the class comment). */
    public static Split protocol(SeriesTable table) {
        int n = table.length();
        String name = table.name();
        if (name.startsWith("ETTh") || name.startsWith("ETTm")) {
            int factor = name.startsWith("ETTm") ? ETT_MINUTE_FACTOR : 1;
            Split ett = new Split(ETT_HOUR_TRAIN * factor, ETT_HOUR_VALIDATION * factor, ETT_HOUR_TEST * factor);
            if (n < ett.testEnd()) {
                throw new UserException(table.source() + ": found " + n + " rows; expected at least " + ett.testEnd()
                        + " for the ETT protocol's 20 months that a file named " + name.substring(0, 4)
                        + "* gets (pass --split to choose other borders)");
            }
            return ett;
        }
        int train = (int) (n * 0.7);
        int test = (int) (n * 0.2);
        if (train < 1 || test < 1 || n - train - test < 1) {
            throw new UserException(table.source() + ": found " + n + " rows; expected enough for a 70/10/20 split "
                    + "with at least one row in each part");
        }
        return new Split(train, n - test, n);
    }

    /**
     * The split a {@code --split} value asks for, on {@code table}: three fractions (each written with a
     * decimal point, summing to at most 1) or three row counts (summing to at most the table's length).
     * Fractions that sum to 1 split as {@code Dataset_Custom} does (train and test rounded down,
     * validation what is left, up to the last row); otherwise each part is {@code int(n * fraction)}
     * rows from the start.
     */
    public static Split parse(String value, SeriesTable table) {
        String[] parts = value.split(",", -1);
        if (parts.length != 3) {
            throw bad(value, "found " + parts.length + " value" + (parts.length == 1 ? "" : "s"));
        }
        int n = table.length();
        boolean fractions = value.contains(".");
        int train;
        int validation;
        int test;
        if (fractions) {
            double[] f = new double[3];
            double sum = 0;
            for (int i = 0; i < 3; i++) {
                f[i] = parseFraction(value, parts[i].strip());
                sum += f[i];
            }
            if (sum > 1 + 1e-9) {
                throw bad(value, "found fractions that sum to " + sum);
            }
            train = (int) (n * f[0]);
            test = (int) (n * f[2]);
            validation = Math.abs(sum - 1) <= 1e-9 ? n - train - test : (int) (n * f[1]);
        } else {
            train = parseCount(value, parts[0].strip());
            validation = parseCount(value, parts[1].strip());
            test = parseCount(value, parts[2].strip());
            if ((long) train + validation + test > n) {
                throw new UserException("--split '" + value + "': found " + ((long) train + validation + test)
                        + " rows in all; expected at most the " + n + " rows of " + table.source());
            }
        }
        if (train < 1) {
            throw new UserException("--split '" + value + "': found a train part of " + train + " rows of the " + n
                    + " in " + table.source() + "; expected at least one");
        }
        return new Split(train, train + validation, train + validation + test);
    }

    /** {@code value} if given (a {@code --split} option), else the protocol's split. */
    public static Split resolve(String value, SeriesTable table) {
        return value == null || value.isBlank() ? protocol(table) : parse(value, table);
    }

    /**
     * Refuses a table and split that leave some part without a window of {@code lookback} rows of
     * context and one {@code segment} of rows to forecast. Train windows lie wholly in train;
     * validation and test windows start their forecast in their part and take the lookback from the
     * rows before it ({@link Split}), so those parts need one segment each.
     */
    public static void requireLength(SeriesTable table, Split split, int lookback, int segment) {
        if (lookback < 1 || segment < 1) {
            throw new IllegalArgumentException("lookback " + lookback + " and segment " + segment + " must be >= 1");
        }
        int n = table.length();
        String source = table.source();
        long window = (long) lookback + segment;
        if (n < window) {
            throw new UserException(source + ": series of " + n + " rows is shorter than lookback + one segment ("
                    + lookback + " + " + segment + " = " + window + " rows); lower --lookback (and --segment)");
        }
        if (split.testEnd() > n) {
            throw new UserException(source + ": split ends at row " + split.testEnd() + "; expected at most the "
                    + n + " rows of the series");
        }
        if (split.trainEnd() < window) {
            throw part(source, "train", 0, split.trainEnd(), "lookback + one segment (" + window + " rows)");
        }
        if (split.validationEnd() - split.trainEnd() < segment) {
            throw part(source, "validation", split.trainEnd(), split.validationEnd(), "one segment (" + segment
                    + " rows)");
        }
        if (split.testEnd() - split.validationEnd() < segment) {
            throw part(source, "test", split.validationEnd(), split.testEnd(), "one segment (" + segment + " rows)");
        }
    }

    private static UserException part(String source, String name, int from, int to, String needed) {
        return new UserException(source + ": the " + name + " part, rows [" + from + ", " + to + ") (" + (to - from)
                + " rows), has no window; expected at least " + needed + " (lower --lookback or change --split)");
    }

    private static double parseFraction(String value, String part) {
        double f;
        try {
            f = Double.parseDouble(part);
        } catch (NumberFormatException e) {
            throw bad(value, "found '" + part + "'");
        }
        if (!(f >= 0 && f <= 1)) {
            throw bad(value, "found the fraction " + part + " outside [0, 1]");
        }
        return f;
    }

    private static int parseCount(String value, String part) {
        try {
            int count = Integer.parseInt(part);
            if (count < 0) {
                throw bad(value, "found the negative row count " + part);
            }
            return count;
        } catch (NumberFormatException e) {
            throw bad(value, "found '" + part + "'");
        }
    }

    private static UserException bad(String value, String found) {
        return new UserException("--split '" + value + "': " + found + "; expected " + SPLIT_FORMS);
    }
}
