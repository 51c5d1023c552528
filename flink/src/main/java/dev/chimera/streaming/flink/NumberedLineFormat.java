package dev.chimera.streaming.flink;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.SimpleStreamFormat;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.connector.file.src.reader.TextLineInputFormat;
import org.apache.flink.core.fs.FSDataInputStream;

/**
 * A text file's lines with their numbers: Flink's own {@link TextLineInputFormat} (UTF-8), counting.
 * The count survives a restore because a text line reader keeps no byte offset in a checkpoint: the
 * file source reopens the file from its start and reads past the lines already emitted, through this
 * same reader, so they are counted again. A file is not split (one reader reads it in order).
 */
public final class NumberedLineFormat extends SimpleStreamFormat<SourceLine> {
    private static final long serialVersionUID = 1L;

    private final TextLineInputFormat lines = new TextLineInputFormat(StandardCharsets.UTF_8.name());

    @Override
    public Reader<SourceLine> createReader(Configuration config, FSDataInputStream stream) throws IOException {
        StreamFormat.Reader<String> text = lines.createReader(config, stream);
        return new Reader<>() {
            private long next;

            @Override
            public SourceLine read() throws IOException {
                String line = text.read();
                return line == null ? null : new SourceLine(next++, line);
            }

            @Override
            public void close() throws IOException {
                text.close();
            }
        };
    }

    @Override
    public TypeInformation<SourceLine> getProducedType() {
        return TypeInformation.of(SourceLine.class);
    }
}
