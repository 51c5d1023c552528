package dev.chimera.streaming.cli;

import dev.chimera.runtime.UserException;
import dev.chimera.streaming.io.ArrowForecastSink;
import dev.chimera.streaming.io.ArrowInputSource;
import dev.chimera.streaming.io.InputSource;
import dev.chimera.streaming.io.QueueInputSource;
import dev.chimera.streaming.io.QueueRecordSink;
import dev.chimera.streaming.io.RecordSink;
import dev.chimera.streaming.record.ForecastRecord;
import java.nio.file.Path;

/**
 * What {@code stream run}'s {@code --in} and {@code --out} name: a queue directory, {@code arrow:FILE}
 * (an Arrow IPC stream in a file) or {@code -} (an Arrow IPC stream on standard input or output).
 */
final class Endpoints {
    static final String ARROW = "arrow:";

    private Endpoints() {
    }

    static InputSource input(String spec) {
        if (spec.equals("-")) {
            return ArrowInputSource.standardInput();
        }
        if (spec.startsWith(ARROW)) {
            return ArrowInputSource.follow(Path.of(spec.substring(ARROW.length())));
        }
        return new QueueInputSource(Path.of(spec), "--in");
    }

    static RecordSink<ForecastRecord> forecasts(String spec) {
        if (spec.equals("-")) {
            return ArrowForecastSink.standardOutput();
        }
        if (spec.startsWith(ARROW)) {
            return ArrowForecastSink.open(Path.of(spec.substring(ARROW.length())));
        }
        return new QueueRecordSink<>(Path.of(spec), "--out");
    }

    /** Where state goes by default: beside the output, {@code <out>.state}; standard output has no beside. */
    static Path defaultStateDir(String out) {
        if (out.equals("-")) {
            throw new UserException("--out - (standard output) needs --snapshot-dir: where to keep the consumer's "
                    + "state between runs");
        }
        String path = out.startsWith(ARROW) ? out.substring(ARROW.length()) : out;
        Path p = Path.of(path).toAbsolutePath().normalize();
        return p.resolveSibling(p.getFileName() + ".state");
    }
}
