package dev.chimera.spark;

import dev.chimera.genomics.Scorer;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;

/**
 * A record's score, as a row with the columns of {@code dna score}'s Arrow output and their types:
 * id (string), length (int64), log_likelihood (double, nats), bits_per_base (double, NaN when no
 * base was scored), scored_bases (int64).
 */
record ScoreRow(String id, Scorer.Score score) implements PartRow {

    static final MessageType SCHEMA = Types.buildMessage()
            .required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("id")
            .required(PrimitiveTypeName.INT64).named("length")
            .required(PrimitiveTypeName.DOUBLE).named("log_likelihood")
            .required(PrimitiveTypeName.DOUBLE).named("bits_per_base")
            .required(PrimitiveTypeName.INT64).named("scored_bases")
            .named("dna_score");

    @Override
    public void writeTo(RecordConsumer rc) {
        rc.startMessage();
        rc.startField("id", 0);
        rc.addBinary(Binary.fromString(id));
        rc.endField("id", 0);
        rc.startField("length", 1);
        rc.addLong(score.length());
        rc.endField("length", 1);
        rc.startField("log_likelihood", 2);
        rc.addDouble(score.logLikelihood());
        rc.endField("log_likelihood", 2);
        rc.startField("bits_per_base", 3);
        rc.addDouble(score.bitsPerBase());
        rc.endField("bits_per_base", 3);
        rc.startField("scored_bases", 4);
        rc.addLong(score.scored());
        rc.endField("scored_bases", 4);
        rc.endMessage();
    }
}
