/**
 * The records that travel on Chronicle queues between a load generator or a data source, the stream
 * consumer and its readers: {@link dev.chimera.streaming.record.Observation},
 * {@link dev.chimera.streaming.record.ForecastRecord} and {@link dev.chimera.streaming.record.DeadLetter}.
 *
 * <p>Each record is one Chronicle document written with Chronicle Wire (binary wire, the queue's
 * own): an event whose name is the record type ({@link dev.chimera.streaming.record.RecordType}) and
 * whose value is a marshallable map of named fields, the first being {@code v}, the format version
 * of that record type. Doubles are written as fixed 8-byte IEEE 754 values (never the wire's
 * compressed numbers, which would turn -0.0 into 0), so every value reads back bit for bit.
 *
 * <p>Versioning: a record type's version rises whenever a field is added or its meaning changes;
 * fields are never renamed or reused. A reader reads every version up to its own and refuses a newer
 * one with a message naming both; fields it does not know are skipped by name.
 */
package dev.chimera.streaming.record;
