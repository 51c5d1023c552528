package dev.chimera.spark;

import org.apache.parquet.io.api.RecordConsumer;

/** One output row of a part file, one record's result. */
interface PartRow {

    /** Writes the row as one Parquet message of its kind's schema. */
    void writeTo(RecordConsumer rc);
}
