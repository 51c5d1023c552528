/**
 * Chronicle queues of stream records: opening them ({@link dev.chimera.streaming.queue.Queues}),
 * appending ({@link dev.chimera.streaming.queue.RecordAppender}) and reading
 * ({@link dev.chimera.streaming.queue.RecordTailer}) one record per document.
 */
package dev.chimera.streaming.queue;
