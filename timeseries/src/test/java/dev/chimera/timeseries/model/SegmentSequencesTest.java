package dev.chimera.timeseries.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chimera.core.train.Batch;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Teacher-forcing sequences: inputs, calendar features and targets aligned as a forecast reads them. */
class SegmentSequencesTest {
    private static final long T0 = 1_467_331_200L;

    @Test
    void eachPositionsTargetIsTheNextSegmentLessTheSkipsForecastInTheLookbacksUnits() {
        int l = 6;
        int s = 3;
        TsSettings settings = new TsSettings(l, s, 4, 1, "point", true, 1.0, 3600);
        Random r = new Random(2);
        double[][] values = new double[1][60];
        long[] times = new long[60];
        for (int t = 0; t < 60; t++) {
            values[0][t] = 5 + r.nextGaussian();
            times[t] = T0 + t * 3600L;
        }
        float[] w = new float[l * s];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) r.nextGaussian() * 0.2f;
        }
        LinearSkip skip = new LinearSkip(l, s, w);
        SegmentSequences seq = new SegmentSequences(values, times, 0, 60, settings, skip, 2, 7, "test");
        // origins o with o - (2L - S) >= 0 and o + (context - L/S + 1) S <= 60
        assertEquals(1, SegmentSequences.reachBefore(settings, false) / l);
        int first = 2 * l - s;
        int last = 60 - (4 - 2 + 1) * s;
        assertEquals(last - first + 1, seq.size());

        Batch b = seq.evenBatch(0, 1);
        float[] x = b.inputs().values().toArray();
        float[] y = b.targets().values();
        int o = first; // evenBatch(0, 1) row 0 is the first candidate
        InstanceNorm norm = InstanceNorm.of(values[0], o - l, o);
        int width = settings.tokenWidth();
        for (int p = 0; p < 4; p++) {
            int start = o - l + p * s;
            for (int j = 0; j < s; j++) {
                assertEquals(norm.normalise(values[0][start + j]), x[p * width + j], 1e-6f);
            }
            float[] features = new float[CalendarFeatures.COUNT];
            CalendarFeatures.of(times[start], features, 0);
            for (int f = 0; f < features.length; f++) {
                assertEquals(features[f], x[p * width + s + f], 0f);
            }
            float[] context = new float[l];
            for (int i = 0; i < l; i++) {
                context[i] = norm.normalise(values[0][start + s - l + i]);
            }
            float[] predicted = new float[s];
            skip.apply(context, 0, predicted, 0);
            float[] expected = new float[s];
            for (int j = 0; j < s; j++) {
                expected[j] = norm.normalise(values[0][start + s + j]) - predicted[j];
            }
            float[] got = new float[s];
            System.arraycopy(y, p * s, got, 0, s);
            assertArrayEquals(expected, got, 1e-5f, "position " + p);
        }
    }

    @Test
    void sequencesTouchingAMissingValueAreNotDrawn() {
        TsSettings settings = new TsSettings(4, 2, 3, 1, "point", false, 1.0, 60);
        double[][] values = new double[1][30];
        long[] times = new long[30];
        for (int t = 0; t < 30; t++) {
            values[0][t] = t;
            times[t] = t * 60L;
        }
        int all = new SegmentSequences(values, times, 0, 30, settings, null, 1, 1, "a").size();
        values[0][15] = Double.NaN;
        int without = new SegmentSequences(values, times, 0, 30, settings, null, 1, 1, "b").size();
        // a sequence reads rows [o - 4, o + 4): the origins 12..19 touch row 15
        assertEquals(all - 8, without);
    }
}
