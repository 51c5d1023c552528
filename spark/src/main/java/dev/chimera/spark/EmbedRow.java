package dev.chimera.spark;

import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;

/**
 * A record's embedding, as a row with the columns of {@code dna embed}'s output: id (string) and
 * embedding, a list of dModel float32 (Parquet has no fixed-size list; Spark reads it as
 * array&lt;float&gt;). The list is Parquet's standard three-level LIST, which every reader takes.
 */
record EmbedRow(String id, float[] embedding) implements PartRow {

    static final MessageType SCHEMA = Types.buildMessage()
            .required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("id")
            .requiredList().requiredElement(PrimitiveTypeName.FLOAT).named("embedding")
            .named("dna_embed");

    @Override
    public void writeTo(RecordConsumer rc) {
        rc.startMessage();
        rc.startField("id", 0);
        rc.addBinary(Binary.fromString(id));
        rc.endField("id", 0);
        rc.startField("embedding", 1);
        rc.startGroup();
        rc.startField("list", 0);
        for (float v : embedding) {
            rc.startGroup();
            rc.startField("element", 0);
            rc.addFloat(v);
            rc.endField("element", 0);
            rc.endGroup();
        }
        rc.endField("list", 0);
        rc.endGroup();
        rc.endField("embedding", 1);
        rc.endMessage();
    }
}
