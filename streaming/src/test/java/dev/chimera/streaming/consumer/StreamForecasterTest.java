package dev.chimera.streaming.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.streaming.record.DeadLetter;
import dev.chimera.streaming.record.ForecastRecord;
import dev.chimera.streaming.record.Observation;
import dev.chimera.timeseries.model.TsModel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The consumer's logic on the shipped models: the same forecasts, bit for bit, whatever the ticks the
 * inputs arrive in and across a snapshot; every input accounted for; each bad kind of input a dead
 * letter with its reason.
 */
class StreamForecasterTest {
    static final long T0 = 1_483_228_800L; // 2017-01-01T00:00Z
    static final long HOUR = 3600;

    /** Collects what the consumer writes. */
    static final class Collected implements StreamForecaster.Output {
        final List<ForecastRecord> forecasts = new ArrayList<>();
        final List<DeadLetter> deadLetters = new ArrayList<>();

        @Override
        public void forecast(ForecastRecord forecast) {
            forecasts.add(forecast);
        }

        @Override
        public void deadLetter(DeadLetter letter) {
            deadLetters.add(letter);
        }
    }

    static ConsumerSettings settings(Emit emit) {
        return new ConsumerSettings(emit, 96, new double[] {0.1, 0.5, 0.9}, false, 0, 24, null);
    }

    /** {@code series} hourly series of {@code length} points, interleaved by timestamp, seeded. */
    static List<StreamForecaster.Input> inputs(int series, int length, long seed) {
        Random r = new Random(seed);
        List<StreamForecaster.Input> list = new ArrayList<>();
        double[] phase = new double[series];
        for (int s = 0; s < series; s++) {
            phase[s] = r.nextDouble() * 6.28;
        }
        for (int t = 0; t < length; t++) {
            for (int s = 0; s < series; s++) {
                double v = 10 + s + 3 * Math.sin(2 * Math.PI * t / 24 + phase[s]) + r.nextGaussian();
                list.add(new StreamForecaster.Input(list.size(), new Observation("s" + s, T0 + t * HOUR,
                        new double[] {v})));
            }
        }
        return list;
    }

    /** Processes the inputs in ticks of random sizes from 1 to {@code maxTick}. */
    static Collected run(StreamForecaster consumer, List<StreamForecaster.Input> inputs, int maxTick, long seed) {
        Collected out = new Collected();
        Random r = new Random(seed);
        for (int from = 0; from < inputs.size(); ) {
            int to = Math.min(inputs.size(), from + 1 + r.nextInt(maxTick));
            consumer.process(inputs.subList(from, to), out);
            from = to;
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"etth1-point", "etth1-fourier"})
    void forecastsAreTheSameBitForBitWhateverTheTicks(String name) {
        TsModel model = ShippedModels.get(name);
        List<StreamForecaster.Input> inputs = inputs(5, 672 + 3 * 96, 1);
        Collected one = run(new StreamForecaster(model, settings(Emit.SEGMENT), 64), inputs, 1, 2);
        Collected many = run(new StreamForecaster(model, settings(Emit.SEGMENT), 64), inputs, 40, 3);
        assertEquals(5 * 4, one.forecasts.size(), "a forecast per series at the lookback and each of 3 segments");
        assertSameRecords(one.forecasts, many.forecasts);
        ForecastRecord first = one.forecasts.get(0);
        assertEquals(96, first.horizon());
        assertEquals(T0 + 672 * HOUR, first.timestamp());
        assertEquals(model.settings().fourier() ? 3 : 0, first.levels().length);
    }

    @Test
    void aRestoredSnapshotGoesOnExactlyAsTheUninterruptedRun() throws IOException {
        TsModel model = ShippedModels.get("etth1-point");
        List<StreamForecaster.Input> inputs = inputs(3, 672 + 2 * 96 + 5, 4);
        Collected whole = run(new StreamForecaster(model, settings(Emit.SEGMENT), 64), inputs, 7, 5);

        int cut = 3 * (672 + 40);
        StreamForecaster before = new StreamForecaster(model, settings(Emit.SEGMENT), 64);
        Collected first = run(before, inputs.subList(0, cut), 7, 6);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        before.write(new DataOutputStream(bytes));
        StreamForecaster after = new StreamForecaster(model, settings(Emit.SEGMENT), 64);
        after.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        Collected second = run(after, inputs.subList(cut, inputs.size()), 7, 7);

        List<ForecastRecord> joined = new ArrayList<>(first.forecasts);
        joined.addAll(second.forecasts);
        assertSameRecords(whole.forecasts, joined);
        assertEquals(inputs.size(), after.counts().inputs());
        assertEquals(whole.forecasts.size(), after.counts().forecasts());
    }

    @Test
    void everyEmitsAfterEachObservationOnceTheLookbackIsIn() {
        TsModel model = ShippedModels.get("etth1-point");
        List<StreamForecaster.Input> inputs = inputs(2, 672 + 10, 8);
        StreamForecaster consumer = new StreamForecaster(model, settings(Emit.EVERY), 64);
        Collected out = run(consumer, inputs, 5, 9);
        assertEquals(2 * 11, out.forecasts.size());
        Counts c = consumer.counts();
        assertEquals(c.inputs(), c.forecasts() + c.deadLetters() + c.noStep());
    }

    @Test
    void eachBadKindOfInputIsADeadLetterWithItsReasonAndTheStreamGoesOn() {
        TsModel model = ShippedModels.get("etth1-point");
        ConsumerSettings s = new ConsumerSettings(Emit.SEGMENT, 96, new double[0], false, 2 * HOUR, 3, null);
        StreamForecaster consumer = new StreamForecaster(model, s, 64);
        Collected out = new Collected();
        List<StreamForecaster.Input> in = new ArrayList<>();
        in.add(input(0, "a", T0, 1.0));
        in.add(input(1, "a", T0 + HOUR, Double.NaN));             // NaN under --on-missing error
        in.add(input(2, "a", T0 + HOUR, 1.0, 2.0));               // two values, the series has one
        in.add(input(3, "a", T0 + HOUR + 60, 1.0));               // off the hourly grid
        in.add(input(4, "a", T0 + HOUR, 2.0));                     // fine
        in.add(input(5, "a", T0, 2.0));                            // 1 h back: late but allowed
        in.add(input(6, "a", T0 - 5 * HOUR, 2.0));                 // 6 h back: beyond --max-lateness
        in.add(input(7, "a", T0 + 4 * HOUR, 5.0));                 // 2 missing steps: filled
        in.add(input(8, "a", T0 + 40 * HOUR, 5.0));                // 35 missing: restarts the series
        in.add(input(9, "b", T0, Double.POSITIVE_INFINITY));       // infinite
        consumer.process(in, out);
        consumer.refuse(10, "a record of unknown type 'x'", "x: {}", out);
        List<Long> dead = out.deadLetters.stream().map(DeadLetter::inputIndex).toList();
        assertEquals(List.of(1L, 2L, 3L, 6L, 9L, 10L), dead);
        assertTrue(out.deadLetters.get(0).reason().contains("NaN"), out.deadLetters.get(0).reason());
        assertTrue(out.deadLetters.get(1).reason().contains("1 values; expected 2") || out.deadLetters.get(1).reason()
                .contains("2 values; expected 1"), out.deadLetters.get(1).reason());
        assertTrue(out.deadLetters.get(2).reason().contains("not a whole number"), out.deadLetters.get(2).reason());
        assertTrue(out.deadLetters.get(3).reason().contains("--max-lateness"), out.deadLetters.get(3).reason());
        assertTrue(out.deadLetters.get(4).reason().contains("finite"), out.deadLetters.get(4).reason());
        Counts c = consumer.counts();
        assertEquals(11, c.inputs());
        assertEquals(6, c.deadLetters());
        assertEquals(1, c.late());
        assertEquals(2, c.filledPoints());
        assertEquals(1, c.restarts());
        assertEquals(c.inputs(), c.forecasts() + c.deadLetters() + c.noStep());
    }

    @Test
    void holdTakesTheLastValueAndStrictRefusesSeriesItWasNotGiven() {
        TsModel model = ShippedModels.get("etth1-point");
        ConsumerSettings s = new ConsumerSettings(Emit.SEGMENT, 96, new double[0], true, 0, 3, Set.of("a"));
        StreamForecaster consumer = new StreamForecaster(model, s, 64);
        Collected out = new Collected();
        consumer.process(List.of(input(0, "a", T0, 1.0), input(1, "a", T0 + HOUR, Double.NaN),
                input(2, "z", T0, 1.0)), out);
        assertEquals(1, out.deadLetters.size());
        assertTrue(out.deadLetters.get(0).reason().contains("--strict"), out.deadLetters.get(0).reason());
    }

    /** Equal lists of records, bit for bit; a difference is reported by record and largest gap, not dumped. */
    static void assertSameRecords(List<ForecastRecord> expected, List<ForecastRecord> actual) {
        assertEquals(expected.size(), actual.size(), "records");
        for (int i = 0; i < expected.size(); i++) {
            ForecastRecord e = expected.get(i);
            ForecastRecord a = actual.get(i);
            if (!e.equals(a)) {
                double gap = 0;
                for (int k = 0; k < e.point().length && k < a.point().length; k++) {
                    gap = Math.max(gap, Math.abs(e.point()[k] - a.point()[k]));
                }
                double qgap = 0;
                for (int q = 0; q < e.quantiles().length && q < a.quantiles().length; q++) {
                    for (int k = 0; k < e.quantiles()[q].length && k < a.quantiles()[q].length; k++) {
                        qgap = Math.max(qgap, Math.abs(e.quantiles()[q][k] - a.quantiles()[q][k]));
                    }
                }
                throw new AssertionError("record " + i + " (series " + e.series() + ", input " + e.inputIndex()
                        + " vs " + a.series() + ", input " + a.inputIndex() + ") differs: point by up to " + gap
                        + ", quantiles by up to " + qgap);
            }
        }
    }

    static StreamForecaster.Input input(long index, String series, long t, double... values) {
        return new StreamForecaster.Input(index, new Observation(series, t, values));
    }
}
