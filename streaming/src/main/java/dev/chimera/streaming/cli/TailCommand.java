package dev.chimera.streaming.cli;

import dev.chimera.runtime.JsonOption;
import dev.chimera.runtime.UserException;
import dev.chimera.streaming.queue.QueueEntry;
import dev.chimera.streaming.queue.Queues;
import dev.chimera.streaming.queue.RecordTailer;
import dev.chimera.streaming.record.RecordFormatException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import net.openhft.chronicle.queue.ChronicleQueue;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code chimera stream tail}: prints a queue's records, one per line ({@link RecordText}, or
 * {@link RecordJson} with {@code --json}). Follows the queue until interrupted, or with
 * {@code --drain} stops at its end. A record it cannot read is a one-line error naming its index.
 */
@Command(name = "tail", mixinStandardHelpOptions = true,
        description = "Prints a queue's records (observations, forecasts or dead letters), one per line.")
public final class TailCommand implements Callable<Integer> {
    /** How long to wait between looks at a queue that has nothing new. */
    private static final long IDLE_MILLIS = 2;

    @Spec
    CommandSpec spec;

    @Option(names = "--queue", required = true, paramLabel = "QUEUE", description = "The queue directory to read.")
    Path queueDir;

    @Mixin
    JsonOption json;

    @Option(names = "--from-start",
            description = "Print every record from the first; default: only those appended after tail starts.")
    boolean fromStart;

    @Option(names = {"--drain", "--no-follow"},
            description = "Exit at the end of the queue instead of waiting for more records.")
    boolean drain;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (ChronicleQueue queue = Queues.openExisting(queueDir, "--queue");
             RecordTailer tailer = fromStart ? RecordTailer.fromStart(queue) : RecordTailer.fromEnd(queue)) {
            if (!drain) {
                err.println("following " + queueDir + (fromStart ? " from its start" : " from its end")
                        + "; interrupt to stop");
                err.flush();
            }
            while (true) {
                QueueEntry entry = next(tailer);
                if (entry != null) {
                    out.println(json.enabled() ? RecordJson.line(entry) : RecordText.line(entry));
                    continue;
                }
                out.flush();
                if (drain || !idle()) {
                    return 0;
                }
            }
        }
    }

    private QueueEntry next(RecordTailer tailer) {
        try {
            return tailer.next();
        } catch (RecordFormatException e) {
            throw new UserException("--queue " + queueDir + ": " + e.getMessage());
        }
    }

    /** Waits a moment for more records; false when the thread was interrupted. */
    private static boolean idle() {
        try {
            Thread.sleep(IDLE_MILLIS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
