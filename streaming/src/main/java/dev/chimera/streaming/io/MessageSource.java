package dev.chimera.streaming.io;

/**
 * The whole messages of an Arrow IPC stream that may still be growing, one at a time and without
 * waiting more than a few milliseconds: a message is returned only once all its bytes are there.
 */
interface MessageSource extends AutoCloseable {

    /**
     * The next whole message, or null when its bytes are not all there yet or the stream has
     * {@link #ended}; after a null, a later call tries the same message again.
     *
     * @throws dev.chimera.runtime.UserException if the bytes are not an IPC message (at the start: not a stream)
     */
    IpcMessage next();

    /** Whether the stream has ended: its end-of-stream marker was read, or (a pipe) its bytes ran out. */
    boolean ended();

    /**
     * How many bytes of an unfinished message a pipe ended inside (a writer that stopped mid-message),
     * or 0. A file that ends mid-message has not ended: the rest may still come.
     */
    long unfinishedBytes();

    /** The byte offset of the next message: where an unfinished message or the end-of-stream marker starts. */
    long position();

    @Override
    void close();
}
