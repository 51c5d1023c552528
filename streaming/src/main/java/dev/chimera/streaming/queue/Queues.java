package dev.chimera.streaming.queue;

import dev.chimera.runtime.UserException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;

/**
 * Opens the Chronicle queues streams use: single-writer-friendly binary queues (the wire
 * {@code BINARY_LIGHT}) in a directory, one file per UTC day ({@link #ROLL_CYCLE}). A reader of an
 * existing queue takes the roll cycle its metadata records, whatever this class would choose.
 */
public final class Queues {

    /**
     * One file per UTC day, up to 2^32 records each: the index of a record is its day's number in
     * the high bits and its sequence in the day in the low 32 bits, so indexes increase along the queue
     * and consecutive records of a day have consecutive indexes.
     */
    public static final RollCycle ROLL_CYCLE = RollCycles.FAST_DAILY;

    private Queues() {
    }

    /**
     * How long an appender waits for the append lock before it checks the holder: a process killed
     * while appending leaves the lock held, and the restarted one waits this long before Chronicle
     * unlocks it (its default, 10 s, made a consumer's restart after such a kill take 9 s). Appends
     * hold the lock for microseconds, so a live holder never comes near it.
     */
    static final long APPEND_LOCK_TIMEOUT_MS = 1000;

    /** The builder of the queue in {@code dir}, for callers that set more (a time provider in tests). */
    public static SingleChronicleQueueBuilder builder(Path dir) {
        return SingleChronicleQueueBuilder.binary(dir).rollCycle(ROLL_CYCLE).timeoutMS(APPEND_LOCK_TIMEOUT_MS);
    }

    /**
     * Opens the queue in {@code dir} to append to, creating the directory and queue if need be.
     * {@code option} names the option the directory came from, for messages.
     */
    public static ChronicleQueue openOrCreate(Path dir, String option) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new UserException(option + " " + dir + ": is a file; expected a queue directory (new or existing)");
        }
        if (Files.isDirectory(dir) && !isEmpty(dir) && !isQueue(dir)) {
            throw new UserException(option + " " + dir + ": is a directory that holds no Chronicle queue (no "
                    + SingleChronicleQueue.QUEUE_METADATA_FILE + " or *" + SingleChronicleQueue.SUFFIX
                    + " files); expected a new or empty directory or an existing queue");
        }
        return builder(dir).build();
    }

    /** Opens the existing queue in {@code dir} to read; a missing one is a one-line error. */
    public static ChronicleQueue openExisting(Path dir, String option) {
        if (!Files.exists(dir)) {
            throw new UserException(option + " " + dir + ": no such queue directory; expected a queue that stream "
                    + "replay or stream run wrote");
        }
        if (!Files.isDirectory(dir) || !isQueue(dir)) {
            throw new UserException(option + " " + dir + ": not a Chronicle queue (no "
                    + SingleChronicleQueue.QUEUE_METADATA_FILE + " or *" + SingleChronicleQueue.SUFFIX
                    + " files); expected a queue that stream replay or stream run wrote");
        }
        return builder(dir).build();
    }

    /** Whether {@code dir} holds a Chronicle queue's metadata or cycle files. */
    static boolean isQueue(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).anyMatch(name ->
                    name.equals(SingleChronicleQueue.QUEUE_METADATA_FILE) || name.endsWith(SingleChronicleQueue.SUFFIX));
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": cannot list: " + e.getMessage(), e);
        }
    }

    private static boolean isEmpty(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.findAny().isEmpty();
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": cannot list: " + e.getMessage(), e);
        }
    }
}
