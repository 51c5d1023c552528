package dev.chimera.timeseries.eval;

import dev.chimera.timeseries.data.Split;

/**
 * The forecast windows of one part of a {@link Split} under the standard long-term forecasting
 * protocol (Informer / Autoformer / PatchTST / DLinear / AutoTimes data loaders): every origin
 * with stride 1, no dropped windows.
 *
 * <p>A window with origin {@code o} reads its input from rows {@code [o - lookback, o)} and is
 * scored on rows {@code [o, o + horizon)}. The origins run over {@code [firstOrigin, lastOrigin]}
 * (both inclusive):
 *
 * <pre>
 *   train        o = lookback      .. trainEnd      - horizon
 *   validation   o = trainEnd      .. validationEnd - horizon
 *   test         o = validationEnd .. testEnd       - horizon
 * </pre>
 *
 * <p>so the validation and test parts take their lookback from the rows before their border and
 * their first origin is their first row; their count is {@code partLength - horizon + 1} (ETTh1,
 * lookback 672, horizon 96: 2,785 test windows). Only the targets must lie inside the part; the
 * input may reach back into earlier parts.
 *
 * @param part        which part these windows belong to, for messages and reports
 * @param lookback    L, the input length
 * @param horizon     H, the number of forecast rows
 * @param firstOrigin the first origin (inclusive)
 * @param lastOrigin  the last origin (inclusive); {@code firstOrigin - 1} when the part has no window
 */
public record Windows(Part part, int lookback, int horizon, int firstOrigin, int lastOrigin) {

    /** The three parts of a split. */
    public enum Part {
        TRAIN, VALIDATION, TEST;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public Windows {
        if (lookback < 1 || horizon < 1) {
            throw new IllegalArgumentException("lookback and horizon must be >= 1, got lookback " + lookback
                    + ", horizon " + horizon);
        }
        if (firstOrigin < lookback) {
            throw new IllegalArgumentException(part.label() + " windows: the first origin " + firstOrigin
                    + " leaves fewer than lookback " + lookback + " rows before it");
        }
        if (lastOrigin < firstOrigin - 1) {
            throw new IllegalArgumentException(part.label() + " windows: last origin " + lastOrigin
                    + " before first origin " + firstOrigin);
        }
    }

    /** The test windows: origins validationEnd .. testEnd - horizon. */
    public static Windows test(Split split, int lookback, int horizon) {
        return of(Part.TEST, split, lookback, horizon);
    }

    /** The validation windows: origins trainEnd .. validationEnd - horizon. */
    public static Windows validation(Split split, int lookback, int horizon) {
        return of(Part.VALIDATION, split, lookback, horizon);
    }

    /** The train windows: origins lookback .. trainEnd - horizon. */
    public static Windows train(Split split, int lookback, int horizon) {
        return of(Part.TRAIN, split, lookback, horizon);
    }

    /**
     * The windows of a part. Fails when the part is shorter than the horizon or when the rows before
     * the part's first origin are fewer than the lookback: either would silently change the protocol.
     */
    public static Windows of(Part part, Split split, int lookback, int horizon) {
        int start = switch (part) {
            case TRAIN -> lookback;
            case VALIDATION -> split.trainEnd();
            case TEST -> split.validationEnd();
        };
        int end = switch (part) {
            case TRAIN -> split.trainEnd();
            case VALIDATION -> split.validationEnd();
            case TEST -> split.testEnd();
        };
        if (start < lookback) {
            throw new IllegalArgumentException(part.label() + " windows need lookback " + lookback
                    + " rows before row " + start + ", only " + start + " exist");
        }
        if (end - start < horizon) {
            throw new IllegalArgumentException(part.label() + " part [" + start + ", " + end + ") has "
                    + (end - start) + " forecastable rows, fewer than horizon " + horizon);
        }
        return new Windows(part, lookback, horizon, start, end - horizon);
    }

    /** The number of windows: lastOrigin - firstOrigin + 1. */
    public int count() {
        return lastOrigin - firstOrigin + 1;
    }

    /** The origin of window {@code i} (0-based). */
    public int origin(int i) {
        if (i < 0 || i >= count()) {
            throw new IndexOutOfBoundsException("window " + i + " of " + count());
        }
        return firstOrigin + i;
    }

    /** The first input row of the window with origin {@code o}: o - lookback. */
    public int inputStart(int origin) {
        return origin - lookback;
    }

    /** One past the last row any window reads (the last target row + 1). */
    public int endRow() {
        return lastOrigin + horizon;
    }
}
