package dev.chimera.spark;

import dev.chimera.core.checkpoint.AtomicFiles;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.MessageType;

/**
 * One partition's output: a Parquet file (snappy, as Spark writes by default) written under a
 * temporary name beside its final one, forced to disk and renamed into place
 * ({@link AtomicFiles#write}), so the final name holds a complete file or nothing. The temporary
 * name starts with a dot, which Spark and other Parquet readers skip when they read the folder.
 */
final class PartFile {
    private PartFile() {
    }

    /** Receives the rows of a part as they are computed. */
    @FunctionalInterface
    interface Rows {
        void write(PartRow row) throws IOException;
    }

    /** Produces a part's rows into {@code rows}. */
    @FunctionalInterface
    interface Body {
        void write(Rows rows) throws IOException;
    }

    /**
     * Writes {@code target} atomically with the rows {@code body} makes, under {@code schema}; the
     * footer's key-value metadata is {@code metadata} and, after the last row, what {@code footer}
     * returns (the part's totals).
     */
    static void write(Path target, MessageType schema, Map<String, String> metadata,
                      Supplier<Map<String, String>> footer, Body body) throws IOException {
        AtomicFiles.write(target, channel -> {
            RowSupport support = new RowSupport(schema, metadata, footer);
            try (ParquetWriter<PartRow> writer = new Builder(new ChannelOutputFile(channel), support)
                    .withCompressionCodec(CompressionCodecName.SNAPPY).build()) {
                body.write(writer::write);
            }
        });
    }

    /** The key-value metadata of a part file's footer. */
    static Map<String, String> footer(Path file) throws IOException {
        try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file))) {
            return reader.getFooter().getFileMetaData().getKeyValueMetaData();
        }
    }

    /** Writes rows through their own {@link PartRow#writeTo}; adds the totals to the footer when the file closes. */
    private static final class RowSupport extends WriteSupport<PartRow> {
        private final MessageType schema;
        private final Map<String, String> metadata;
        private final Supplier<Map<String, String>> footer;
        private RecordConsumer consumer;

        RowSupport(MessageType schema, Map<String, String> metadata, Supplier<Map<String, String>> footer) {
            this.schema = schema;
            this.metadata = metadata;
            this.footer = footer;
        }

        @Override
        public WriteContext init(Configuration configuration) {
            return new WriteContext(schema, metadata);
        }

        @Override
        public void prepareForWrite(RecordConsumer recordConsumer) {
            this.consumer = recordConsumer;
        }

        @Override
        public void write(PartRow row) {
            row.writeTo(consumer);
        }

        @Override
        public FinalizedWriteContext finalizeWrite() {
            return new FinalizedWriteContext(new LinkedHashMap<>(footer.get()));
        }
    }

    private static final class Builder extends ParquetWriter.Builder<PartRow, Builder> {
        private final RowSupport support;

        Builder(OutputFile file, RowSupport support) {
            super(file);
            this.support = support;
        }

        @Override
        protected Builder self() {
            return this;
        }

        @Override
        protected WriteSupport<PartRow> getWriteSupport(Configuration configuration) {
            return support;
        }
    }

    /**
     * Parquet's view of the channel {@link AtomicFiles#write} opened: the writer's close flushes but
     * leaves the channel open, for AtomicFiles to force it to disk and close it before the rename.
     */
    private static final class ChannelOutputFile implements OutputFile {
        private final FileChannel channel;

        ChannelOutputFile(FileChannel channel) {
            this.channel = channel;
        }

        @Override
        public PositionOutputStream create(long blockSizeHint) {
            OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
            return new PositionOutputStream() {
                private long position;

                @Override
                public long getPos() {
                    return position;
                }

                @Override
                public void write(int b) throws IOException {
                    out.write(b);
                    position++;
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                    position += len;
                }

                @Override
                public void flush() throws IOException {
                    out.flush();
                }

                @Override
                public void close() throws IOException {
                    out.flush();
                }
            };
        }

        @Override
        public PositionOutputStream createOrOverwrite(long blockSizeHint) {
            return create(blockSizeHint);
        }

        @Override
        public boolean supportsBlockSize() {
            return false;
        }

        @Override
        public long defaultBlockSize() {
            return 0;
        }
    }
}
