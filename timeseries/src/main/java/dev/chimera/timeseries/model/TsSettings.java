package dev.chimera.timeseries.model;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a forecasting model was trained with beyond its decoder config, recorded in every
 * checkpoint's trainer.json under {@code ts.*} keys so that a model directory is all a forecast
 * needs.
 *
 * @param lookback     L, points of history one forecast reads (a multiple of the segment)
 * @param segment      S, points per token; the decoder predicts the next S points at every position
 * @param context      positions per training sequence: L/S prefill positions then the positions
 *                     a forecast rolls or the {@link Forecaster} steps through before it rebuilds
 * @param refresh      segments the {@link Forecaster} steps after a prefill before it rebuilds the
 *                     state from the last L points (new normalisation statistics, bounded state)
 * @param head         "point" (regression of S values, MSE) or "fourier" (a Fourier head per value)
 * @param skip         whether the linear skip path ({@link LinearSkip}) carries the forecast and the
 *                     decoder learns its residual
 * @param range        the Fourier head's bins cover [-range, range] of normalised residual
 * @param stepSeconds  the training data's grid step, checked against the data a model is given
 * @param centred      for the Fourier head: whether the point forecast is the skip's and the
 *                     density only gives the spread around it (quantiles are the skip plus the
 *                     density's quantiles less its median), chosen by validation MSE at the end of
 *                     training; otherwise the point forecast is the skip plus the density's mean
 */
public record TsSettings(int lookback, int segment, int context, int refresh, String head, boolean skip, double range,
                         long stepSeconds, boolean centred) {
    public static final String PREFIX = "ts.";

    /** Settings whose Fourier density, if any, gives the location as well as the spread. */
    public TsSettings(int lookback, int segment, int context, int refresh, String head, boolean skip, double range,
                      long stepSeconds) {
        this(lookback, segment, context, refresh, head, skip, range, stepSeconds, false);
    }

    /** These settings with the Fourier density centred on the skip's forecast, or not. */
    public TsSettings centredOnSkip(boolean centre) {
        return new TsSettings(lookback, segment, context, refresh, head, skip, range, stepSeconds, centre);
    }

    public TsSettings {
        if (segment < 1 || lookback < segment || lookback % segment != 0) {
            throw new IllegalArgumentException("the lookback (" + lookback + ") must be a positive multiple of the "
                    + "segment (" + segment + ")");
        }
        if (context <= lookback / segment || refresh < 1 || refresh >= context - lookback / segment + 1) {
            throw new IllegalArgumentException("context " + context + " must exceed the lookback's " + (lookback / segment)
                    + " segments and leave room for refresh " + refresh);
        }
        if (!head.equals("point") && !head.equals("fourier")) {
            throw new IllegalArgumentException("head must be point or fourier, got " + head);
        }
        if (centred && !(skip && head.equals("fourier"))) {
            throw new IllegalArgumentException("only a Fourier head over a skip path can be centred on the skip");
        }
    }

    /** Segments in the lookback: the positions of a forecast's prefill. */
    public int prefillSegments() {
        return lookback / segment;
    }

    public boolean fourier() {
        return head.equals("fourier");
    }

    /** Rows of a token: S values then the calendar features of its first point. */
    public int tokenWidth() {
        return segment + CalendarFeatures.COUNT;
    }

    public Map<String, String> toInfo() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(PREFIX + "lookback", Integer.toString(lookback));
        m.put(PREFIX + "segment", Integer.toString(segment));
        m.put(PREFIX + "context", Integer.toString(context));
        m.put(PREFIX + "refresh", Integer.toString(refresh));
        m.put(PREFIX + "head", head);
        m.put(PREFIX + "skip", Boolean.toString(skip));
        m.put(PREFIX + "range", Double.toString(range));
        m.put(PREFIX + "step_seconds", Long.toString(stepSeconds));
        m.put(PREFIX + "location", centred ? "skip" : "density");
        return m;
    }

    /** The settings recorded in a checkpoint's info; an IllegalArgumentException names a key that is missing or bad. */
    public static TsSettings fromInfo(Map<String, String> info) {
        return new TsSettings(integer(info, "lookback"), integer(info, "segment"), integer(info, "context"),
                integer(info, "refresh"), text(info, "head"), Boolean.parseBoolean(text(info, "skip")),
                Double.parseDouble(text(info, "range")), Long.parseLong(text(info, "step_seconds")),
                "skip".equals(info.getOrDefault(PREFIX + "location", "density")));
    }

    private static int integer(Map<String, String> info, String key) {
        try {
            return Integer.parseInt(text(info, key));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + PREFIX + key + "' is not an integer: " + info.get(PREFIX + key));
        }
    }

    private static String text(Map<String, String> info, String key) {
        String v = info.get(PREFIX + key);
        if (v == null) {
            throw new IllegalArgumentException("no '" + PREFIX + key + "' recorded");
        }
        return v;
    }
}
