package dev.chimera.streaming.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.streaming.io.QueueInputSource;
import dev.chimera.streaming.io.QueueRecordSink;
import dev.chimera.streaming.queue.QueueEntry;
import dev.chimera.streaming.queue.Queues;
import dev.chimera.streaming.queue.RecordAppender;
import dev.chimera.streaming.queue.RecordTailer;
import dev.chimera.streaming.record.DeadLetter;
import dev.chimera.streaming.record.ForecastRecord;
import dev.chimera.streaming.record.Observation;
import dev.chimera.timeseries.model.TsModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import net.openhft.chronicle.queue.ChronicleQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The consumer's loop on real Chronicle queues: draining an input gives what the consumer's logic
 * gives; a consumer restarted from its snapshot, even from an older snapshot than its output shows,
 * writes every record once and in order.
 */
class StreamConsumerTest {
    @TempDir
    Path dir;

    /** Counts what the loop reports, for the checks below. */
    static final class Recorded implements Telemetry {
        long latencies;
        Counts last;

        @Override
        public void recordLatencyMicros(long micros) {
            latencies++;
        }

        @Override
        public void update(Counts counts, long backlog, long lastSnapshotMillis) {
            last = counts;
        }

        @Override
        public String statusLine() {
            return "status";
        }
    }

    private final TsModel model = ShippedModels.get("etth1-point");
    private final ConsumerSettings settings = StreamForecasterTest.settings(Emit.SEGMENT);

    @Test
    void aDrainedQueueGivesTheForecastsOfTheConsumersLogicAndEveryInputIsCounted() {
        List<StreamForecaster.Input> inputs = StreamForecasterTest.inputs(3, 672 + 2 * 96, 11);
        List<Observation> observations = new ArrayList<>();
        inputs.forEach(i -> observations.add(i.observation()));
        observations.add(5, new Observation("s0", 0, new double[] {Double.NaN})); // a dead letter among them
        append(dir.resolve("in"), observations);

        Recorded telemetry = new Recorded();
        Counts counts = consume(telemetry);
        List<ForecastRecord> written = forecasts(dir.resolve("out"));
        StreamForecasterTest.Collected reference = StreamForecasterTest.run(
                new StreamForecaster(model, settings, 64), inputs, 50, 1);
        assertEquals(reference.forecasts.size(), written.size());
        for (int i = 0; i < written.size(); i++) {
            ForecastRecord w = written.get(i);
            ForecastRecord r = reference.forecasts.get(i);
            assertEquals(r.series(), w.series());
            assertEquals(r.timestamp(), w.timestamp());
            assertTrue(java.util.Arrays.equals(r.point(), w.point()), "forecast " + i + " bit for bit");
        }
        assertEquals(observations.size(), counts.inputs());
        assertEquals(1, counts.deadLetters());
        assertEquals(counts.inputs(), counts.forecasts() + counts.deadLetters() + counts.noStep());
        assertEquals(observations.size(), telemetry.latencies, "every observation's latency (replay stamps them)");
        assertEquals(1, deadLetters(dir.resolve("state/dead")).size());
    }

    @Test
    void aRestartFromAnOlderSnapshotThanTheOutputWritesEveryRecordOnceInOrder() throws Exception {
        List<StreamForecaster.Input> inputs = StreamForecasterTest.inputs(3, 672 + 4 * 96, 12);
        List<Observation> all = inputs.stream().map(StreamForecaster.Input::observation).toList();
        int a = 3 * (672 + 96 + 10);
        int b = 3 * (672 + 3 * 96 - 7);
        append(dir.resolve("in"), all.subList(0, a));
        consume(new Recorded());
        Path snapshot = dir.resolve("state").resolve(SnapshotStore.FILE);
        Path older = dir.resolve("older.snapshot");
        Files.copy(snapshot, older);
        append(dir.resolve("in"), all.subList(a, b));
        consume(new Recorded());
        // As if killed after writing outputs past the snapshot it had: the older snapshot comes back.
        Files.copy(older, snapshot, StandardCopyOption.REPLACE_EXISTING);
        append(dir.resolve("in"), all.subList(b, all.size()));
        Counts counts = consume(new Recorded());

        List<ForecastRecord> written = forecasts(dir.resolve("out"));
        StreamForecasterTest.Collected reference = StreamForecasterTest.run(
                new StreamForecaster(model, settings, 64), inputs, 1, 1);
        assertEquals(3 * 5, reference.forecasts.size());
        assertEquals(reference.forecasts.size(), written.size(), "none missing, none twice");
        long previous = -1;
        for (int i = 0; i < written.size(); i++) {
            assertTrue(written.get(i).inputIndex() > previous, "in input order");
            previous = written.get(i).inputIndex();
            assertTrue(java.util.Arrays.equals(reference.forecasts.get(i).point(), written.get(i).point()));
        }
        assertEquals(all.size(), counts.inputs(), "the counts of one uninterrupted run");
        assertEquals(written.size(), counts.forecasts());
    }

    private Counts consume(Telemetry telemetry) {
        try (QueueInputSource in = new QueueInputSource(dir.resolve("in"), "--in");
             QueueRecordSink<ForecastRecord> out = new QueueRecordSink<>(dir.resolve("out"), "--out");
             QueueRecordSink<DeadLetter> dead = new QueueRecordSink<>(dir.resolve("state/dead"), "--dead-letter")) {
            StreamConsumer consumer = new StreamConsumer(new StreamForecaster(model, settings, 64), in, out, dead,
                    new SnapshotStore(dir.resolve("state"), "test"), telemetry,
                    new StreamConsumer.Options(37, 1, 1000, true), null);
            return consumer.run();
        }
    }

    static void append(Path queueDir, List<Observation> observations) {
        try (ChronicleQueue q = Queues.openOrCreate(queueDir, "--to"); RecordAppender a = new RecordAppender(q)) {
            for (Observation o : observations) {
                a.append(o.appendedNow());
            }
        }
    }

    static List<ForecastRecord> forecasts(Path queueDir) {
        List<ForecastRecord> list = new ArrayList<>();
        read(queueDir).forEach(e -> list.add((ForecastRecord) e.record()));
        return list;
    }

    static List<DeadLetter> deadLetters(Path queueDir) {
        List<DeadLetter> list = new ArrayList<>();
        read(queueDir).forEach(e -> list.add((DeadLetter) e.record()));
        return list;
    }

    static List<QueueEntry> read(Path queueDir) {
        List<QueueEntry> list = new ArrayList<>();
        try (ChronicleQueue q = Queues.openExisting(queueDir, "--queue"); RecordTailer t = RecordTailer.fromStart(q)) {
            for (QueueEntry e = t.next(); e != null; e = t.next()) {
                list.add(e);
            }
        }
        return list;
    }
}
