package dev.chimera.spark;

import dev.chimera.core.decoder.Decoder;
import dev.chimera.genomics.Embedder;
import dev.chimera.genomics.Scorer;
import dev.chimera.runtime.UserException;
import dev.chimera.runtime.WindowedPrefill;
import java.util.Map;
import org.apache.parquet.schema.MessageType;

/**
 * What the job does with one record: {@code dna score}'s {@link Scorer} or {@code dna embed}'s
 * {@link Embedder} over a decoder, the same classes and calls as the commands, so a row here holds
 * the numbers the command writes. The driver uses it to check every record and weigh it (its
 * units: bases scored, or positions embedded) before any task runs; a task uses it to compute.
 */
interface RecordWork {

    /**
     * The work of the settings' job on {@code decoder}. Centred pooling computes only once the
     * settings carry the centre: the driver's checks come before it, as in {@code dna embed}.
     */
    static RecordWork of(TaskSettings s, Decoder decoder) {
        if (s.kind() == TaskSettings.Kind.SCORE) {
            return new Score(decoder, new Scorer(decoder, s.chunk()));
        }
        boolean centreToCome = s.pooling() == Embedder.Pooling.CENTRED && s.centre() == null;
        return new Embed(decoder, s.pooling(), centreToCome ? null
                : new Embedder(decoder, s.chunk(), s.pooling(), s.centre()));
    }

    /** The work a record of {@code bases} tokens takes, in positions the model runs. */
    long units(long bases);

    /** Fails in one line naming {@code where} if the record cannot be run. */
    void check(byte[] tokens, String where);

    /** The record's row; its totals go into {@code totals}. */
    PartRow compute(String id, byte[] tokens, String where, PartTotals totals);

    /** The Parquet schema of the rows. */
    MessageType schema();

    /** What the part files say about their numbers, beside the model, spans and input. */
    Map<String, String> notes();

    /** {@code dna score}'s work. */
    record Score(Decoder decoder, Scorer scorer) implements RecordWork {
        @Override
        public long units(long bases) {
            return Scorer.positions(bases);
        }

        @Override
        public void check(byte[] tokens, String where) {
            WindowedPrefill.requireFits(decoder, Scorer.positions(tokens.length), where);
        }

        @Override
        public PartRow compute(String id, byte[] tokens, String where, PartTotals totals) {
            Scorer.Score s = scorer.score(tokens, where, null, null);
            totals.addRecord(tokens.length, units(tokens.length));
            totals.addScore(s);
            return new ScoreRow(id, s);
        }

        @Override
        public MessageType schema() {
            return ScoreRow.SCHEMA;
        }

        @Override
        public Map<String, String> notes() {
            return Map.of("n_bases", "read as input, not scored");
        }
    }

    /**
     * {@code dna embed}'s work with {@code pooling}; {@code embedder} is null while a centred run
     * has no centre yet, which checks and weighs records but computes none.
     */
    record Embed(Decoder decoder, Embedder.Pooling pooling, Embedder embedder) implements RecordWork {
        @Override
        public long units(long bases) {
            return pooling.positions(bases);
        }

        @Override
        public void check(byte[] tokens, String where) {
            if (tokens.length == 0) {
                throw new UserException(where + ": no bases left to embed after --on-invalid skip");
            }
            WindowedPrefill.requireFits(decoder, pooling.positions(tokens.length), where);
        }

        @Override
        public PartRow compute(String id, byte[] tokens, String where, PartTotals totals) {
            if (embedder == null) {
                throw new IllegalStateException("centred pooling without the run's centre");
            }
            float[] v = embedder.embed(tokens, where, null);
            totals.addRecord(tokens.length, units(tokens.length));
            return new EmbedRow(id, v);
        }

        @Override
        public MessageType schema() {
            return EmbedRow.SCHEMA;
        }

        /** As {@code dna embed}'s Arrow metadata (the driver adds the centre's, for centred pooling). */
        @Override
        public Map<String, String> notes() {
            return Map.of("pooling", pooling.label(), "pooling_detail", pooling.description(),
                    "dim", Integer.toString(decoder.config().dModel()));
        }
    }
}
