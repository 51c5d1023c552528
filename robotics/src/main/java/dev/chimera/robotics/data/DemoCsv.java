package dev.chimera.robotics.data;

import dev.chimera.runtime.UserException;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;

/**
 * Demonstrations as comma-separated text (Apache Commons CSV, UTF-8, header line first, columns of
 * {@link DemoSchema}). Numbers are written by {@link Double#toString}, the shortest decimal that
 * parses back to the same double, so a round trip is bit-exact. The file is written under a
 * temporary name in the target's folder, forced to disk and renamed into place.
 */
final class DemoCsv {
    private static final CSVFormat FORMAT = CSVFormat.DEFAULT.builder().setRecordSeparator('\n').setTrim(true).get();

    private DemoCsv() {
    }

    static void write(Path file, List<Episode> episodes, double rateHz) {
        Path target = file.toAbsolutePath();
        Path temp = null;
        try {
            Files.createDirectories(target.getParent());
            // Not Files.createTempFile: that makes the file owner-only (0600), and the rename keeps it so.
            temp = Files.createFile(target.resolveSibling("." + target.getFileName() + "."
                    + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp"));
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                BufferedWriter out = new BufferedWriter(new OutputStreamWriter(Channels.newOutputStream(channel),
                        StandardCharsets.UTF_8), 1 << 16);
                CSVPrinter printer = new CSVPrinter(out, FORMAT);
                printer.printRecord(DemoSchema.COLUMNS);
                double[] row = new double[DemoSchema.COLUMNS.size()];
                String[] cells = new String[row.length];
                for (Episode e : episodes) {
                    for (int t = 0; t < e.frames(); t++) {
                        DemoSchema.row(e, t, rateHz, row);
                        for (int c = 0; c < row.length; c++) {
                            cells[c] = DemoSchema.whole(c) ? Long.toString((long) row[c]) : Double.toString(row[c]);
                        }
                        printer.printRecord((Object[]) cells);
                    }
                }
                printer.flush();
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            temp = null;
            try (FileChannel folder = FileChannel.open(target.getParent(), StandardOpenOption.READ)) {
                folder.force(true);
            } catch (IOException ignored) {
                // Some file systems cannot sync a folder; the rename itself is atomic.
            }
        } catch (IOException e) {
            deleteQuietly(temp);
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            deleteQuietly(temp);
            throw e;
        }
    }

    static List<Episode> read(Path file, double rateHz) {
        String source = file.toString();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
                CSVParser parser = CSVParser.parse(reader, FORMAT)) {
            Iterator<CSVRecord> records = parser.iterator();
            if (!records.hasNext()) {
                throw new UserException(source + ": empty file; expected a header line of the columns "
                        + "episode_index, frame_index, timestamp, observation.*, action.*, episode_success");
            }
            CSVRecord header = records.next();
            String headerWhere = "line " + parser.getCurrentLineNumber();
            int[] columns = DemoSchema.locate(header.toList(), source, headerWhere);
            EpisodeAssembler assembler = new EpisodeAssembler(source, rateHz);
            double[] row = new double[columns.length];
            while (records.hasNext()) {
                CSVRecord record = records.next();
                String where = "line " + parser.getCurrentLineNumber();
                if (record.size() != header.size()) {
                    throw new UserException(source + ": " + where + ": found " + record.size() + " cells; expected "
                            + header.size() + " as in the header");
                }
                for (int i = 0; i < columns.length; i++) {
                    row[i] = number(record.get(columns[i]), source, where, DemoSchema.COLUMNS.get(i));
                }
                assembler.add(row, where);
            }
            return assembler.finish(headerWhere);
        } catch (IOException | UncheckedIOException e) {
            throw new UserException(source + ": cannot read: " + e.getMessage(), e);
        }
    }

    /**
     * A decimal number in plain or scientific notation. Java's parser also takes hexadecimal, a type
     * suffix (1.5f), NaN and Infinity; none of those is a demonstration value, so they are refused.
     */
    private static double number(String text, String source, String where, String column) {
        boolean plain = !text.isEmpty();
        for (int i = 0; i < text.length() && plain; i++) {
            char ch = text.charAt(i);
            plain = (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == '+' || ch == 'e' || ch == 'E';
        }
        if (plain) {
            try {
                return Double.parseDouble(text);
            } catch (NumberFormatException e) {
                // Reported below with the cell.
            }
        }
        throw new UserException(source + ": " + where + ", column '" + column + "': found "
                + (text.isEmpty() ? "an empty cell" : "'" + text + "'") + "; expected a number");
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // Cleaning up after the failure being reported.
            }
        }
    }
}
