package dev.chimera.timeseries.data;

import dev.chimera.runtime.UserException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Loads a time-series file into a {@link SeriesTable}: wide or long CSV, or an Arrow IPC table in
 * the file or the streaming format, of either shape.
 *
 * <p>The format is told by the first bytes, then the extension: {@code ARROW1} is the Arrow file
 * format (Feather v2 is the same), {@code FF FF FF FF} (the continuation marker that starts every
 * message of a stream) or the extension {@code .arrows} the streaming format, the extensions
 * {@code .arrow}, {@code .feather} and {@code .ipc} without the file magic a stream too, and
 * anything else CSV. The shape is told by the column names: exactly {@code series,timestamp,value}
 * or {@code unique_id,ds,y} is long ({@link LongLayout}), anything else wide ({@link WideLayout}).
 * The rows are then placed on their inferred time grid ({@link SeriesGrid}).
 *
 * <p>Every problem with the file is a one-line {@link UserException} naming the file, the line (CSV,
 * the header being line 1) or row (Arrow, from 1), the column, what was found and what was expected.
 */
public final class SeriesFiles {

    /** How the bytes of a file are laid out. */
    enum Format { CSV, ARROW_FILE, ARROW_STREAM }

    /**
     * The shape of a table: wide (a timestamp column, then one column per series) or long (one row
     * per series, timestamp and value).
     */
    public enum Layout { WIDE, LONG }

    private static final byte[] ARROW_MAGIC = "ARROW1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] STREAM_CONTINUATION = {-1, -1, -1, -1};
    private static final byte[] FEATHER_V1_MAGIC = "FEA1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] GZIP_MAGIC = {0x1f, (byte) 0x8b};

    private SeriesFiles() {
    }

    /** Reads {@code file} keeping every series and refusing missing values. */
    public static SeriesTable read(Path file) {
        return read(file, ReadOptions.defaults());
    }

    /** Reads {@code file} as {@code options} say. */
    public static SeriesTable read(Path file, ReadOptions options) {
        String source = file.toString();
        Format format = detect(file, source);
        try (TableRows rows = format == Format.CSV ? new CsvRows(file, source)
                : new ArrowRows(file, source, format == Format.ARROW_STREAM)) {
            Observations obs = LongLayout.columns(rows.header()) != null ? LongLayout.read(rows, options)
                    : WideLayout.read(rows, options);
            return SeriesGrid.build(name(file), obs, options.onMissing());
        }
    }

    /**
     * Whether {@code file} is a wide or a long table, told from its header as {@link #read} tells it
     * (reads the header only; a file {@link #read} would refuse may still be given a layout).
     */
    public static Layout layout(Path file) {
        String source = file.toString();
        Format format = detect(file, source);
        try (TableRows rows = format == Format.CSV ? new CsvRows(file, source)
                : new ArrowRows(file, source, format == Format.ARROW_STREAM)) {
            return LongLayout.columns(rows.header()) != null ? Layout.LONG : Layout.WIDE;
        }
    }

    /** The data set's name: the file name without its extension ({@code ETTh1.csv} -> {@code ETTh1}). */
    public static String name(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    /** The layout of {@code file}'s bytes, from its first bytes and then its extension. */
    static Format detect(Path file, String source) {
        if (!Files.exists(file)) {
            throw new UserException(source + ": no such file; expected a CSV or Arrow file of time series");
        }
        if (Files.isDirectory(file)) {
            throw new UserException(source + ": is a directory; expected a CSV or Arrow file of time series");
        }
        byte[] head = new byte[8];
        int read;
        try (InputStream in = Files.newInputStream(file)) {
            read = in.readNBytes(head, 0, head.length);
        } catch (IOException e) {
            throw new UserException(source + ": cannot read: " + e.getMessage(), e);
        }
        if (read == 0) {
            throw new UserException(source + ": empty file; expected a header line such as date,HUFL,OT and rows of data");
        }
        head = Arrays.copyOf(head, read);
        String extension = extension(file);
        if (startsWith(head, ARROW_MAGIC)) {
            return Format.ARROW_FILE;
        }
        if (startsWith(head, STREAM_CONTINUATION) || extension.equals("arrows")) {
            return Format.ARROW_STREAM;
        }
        if (startsWith(head, FEATHER_V1_MAGIC)) {
            throw new UserException(source + ": found a Feather v1 file; expected Arrow IPC (Feather v2: pandas "
                    + "to_feather or pyarrow.feather.write_feather with the default version)");
        }
        if (startsWith(head, GZIP_MAGIC)) {
            throw new UserException(source + ": found gzip-compressed data; expected an uncompressed CSV or Arrow "
                    + "file (gunzip it first)");
        }
        if (extension.equals("arrow") || extension.equals("feather") || extension.equals("ipc")) {
            return Format.ARROW_STREAM;
        }
        return Format.CSV;
    }

    private static String extension(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    private static boolean startsWith(byte[] bytes, byte[] prefix) {
        return bytes.length >= prefix.length && Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length);
    }
}
