package dev.chimera.streaming.io;

/**
 * Where the stream consumer reads its inputs: a Chronicle queue, or an Arrow IPC stream (a file
 * being appended to, or standard input). Not thread-safe.
 */
public interface InputSource extends AutoCloseable {

    /** Makes the next input read the first one after {@code lastIndex} (-1: the source's first). Call once, before {@link #next}. */
    void startAfter(long lastIndex);

    /**
     * The next input, or null when there is none yet. Waits at most a few milliseconds, so the
     * consumer stays responsive; a record the source cannot read is returned as
     * {@link InputRecord#refused}, and reading goes on after it.
     */
    InputRecord next();

    /**
     * Whether no input can come any more: the end of an Arrow stream (its end-of-stream marker, or
     * the end of standard input). A queue never ends; a consumer with {@code --drain} stops at the
     * first null from {@link #next} instead.
     */
    boolean ended();

    /** Inputs in the source not yet read, or -1 when the source cannot tell (the consumer's lag). */
    long backlog();

    @Override
    void close();
}
