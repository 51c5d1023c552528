package dev.chimera.spark;

import java.io.Serializable;

/**
 * One partition of the job: the records [first, end) of one input file, in file order, and the
 * part file they go to. The input's size and modification time are those the driver planned
 * with; a task that finds others fails rather than compute other records under this slice's name.
 *
 * @param index    the partition, and the number of its part file
 * @param input    0-based position of the input among the job's inputs
 * @param path     the input file, absolute
 * @param bytes    its size when planned
 * @param modified its modification time when planned
 * @param first    0-based index of the first record
 * @param end      one past the last record
 * @param bases    bases of the slice's records (after --on-invalid)
 * @param units    positions the model runs for them
 */
record Slice(int index, int input, String path, long bytes, String modified, int first, int end, long bases, long units)
        implements Serializable {
}
