package dev.chimera.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chimera.genomics.DnaModel;
import dev.chimera.genomics.TestModels;
import dev.chimera.genomics.cli.DnaCommand;
import dev.chimera.runtime.UserErrorHandler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import java.util.stream.Stream;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.MessageType;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import picocli.CommandLine;

/** The tests' model, inputs, in-process runs of the job and of {@code dna score|embed}, and their outputs read back. */
final class JobFixtures {
    /** Context the tiny model records; with --span context its attention layer holds the last 32 positions. */
    static final int CONTEXT = 32;
    /** Positions per prefill window: records longer than this run through several windows. */
    static final String CHUNK = "16";

    private JobFixtures() {
    }

    /** A seeded, untrained tiny DNA model (genomics' TestModels) in {@code dir}. */
    static Path model(Path dir) throws IOException {
        return TestModels.save(dir, DnaModel.info(CONTEXT), 17);
    }

    /**
     * {@code n} records of lengths 1 to 300 bases and one of 900 (the eighth), with runs of N,
     * lower-case (soft-masked) stretches, and one record of N only (the middle one).
     */
    static List<String[]> records(long seed, String prefix, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        List<String[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int length = i == 7 ? 900 : 1 + r.nextInt(300);
            StringBuilder sb = new StringBuilder(length);
            for (int j = 0; j < length; j++) {
                sb.append("ACGT".charAt(r.nextInt(4)));
            }
            if (i % 5 == 2 && length > 20) {
                int at = r.nextInt(length - 10);
                sb.replace(at, at + 10, "NNNNNNNNNN");
            }
            if (i % 6 == 1 && length > 30) {
                int at = r.nextInt(length - 20);
                sb.replace(at, at + 20, sb.substring(at, at + 20).toLowerCase());
            }
            if (i == n / 2) {
                sb.replace(0, length, "N".repeat(length));
            }
            out.add(new String[] {prefix + i, sb.toString()});
        }
        return out;
    }

    /** Writes records as FASTA, 60 bases a line. */
    static Path fasta(Path file, List<String[]> records) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (String[] rec : records) {
            sb.append('>').append(rec[0]).append(" seeded record\n");
            for (int i = 0; i < rec[1].length(); i += 60) {
                sb.append(rec[1], i, Math.min(rec[1].length(), i + 60)).append('\n');
            }
        }
        return Files.writeString(file, sb.toString());
    }

    /** Writes records as gzip-compressed FASTQ. */
    static Path fastqGz(Path file, List<String[]> records) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(bytes)) {
            for (String[] rec : records) {
                String text = "@" + rec[0] + "\n" + rec[1] + "\n+\n" + "I".repeat(rec[1].length()) + "\n";
                gz.write(text.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            }
        }
        return Files.write(file, bytes.toByteArray());
    }

    /** Exit code, stdout and stderr of one in-process run. */
    record Run(int code, String out, String err) {
    }

    /** Runs the Spark job's command line on the tests' session. */
    static Run job(String... args) {
        return run(DnaSparkJob.commandLine(LocalSpark::session), args);
    }

    /** Runs {@code chimera dna ...} in-process, as the launcher does. */
    static Run dna(String... args) {
        return run(UserErrorHandler.install(new CommandLine(new DnaCommand())), args);
    }

    private static Run run(CommandLine cl, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    /**
     * The rows of a job's output folder as Spark reads it, in the job's order: part files by name,
     * rows in file order (a small part file is one split, read in order). Each row's last value is
     * its file's name.
     */
    static List<Row> sparkRows(Path out) {
        List<Row> rows = new ArrayList<>(LocalSpark.session().read().parquet(out.toString())
                .withColumn("file", functions.input_file_name()).collectAsList());
        rows.sort(Comparator.comparing(r -> r.getString(r.length() - 1))); // stable: keeps the order within a file
        return rows;
    }

    /** A job's part files, by name. */
    static List<Path> parts(Path out) throws IOException {
        try (Stream<Path> files = Files.list(out)) {
            return files.filter(p -> p.getFileName().toString().matches("part-\\d{5}\\.parquet")).sorted().toList();
        }
    }

    /** The rows of a job's part files in the job's order (files by name, rows in file order), read with parquet-mr. */
    static List<Group> partRows(Path out) throws IOException {
        List<Group> rows = new ArrayList<>();
        for (Path part : parts(out)) {
            try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(part))) {
                MessageType schema = reader.getFooter().getFileMetaData().getSchema();
                PageReadStore pages;
                while ((pages = reader.readNextRowGroup()) != null) {
                    RecordReader<Group> records = new ColumnIOFactory().getColumnIO(schema)
                            .getRecordReader(pages, new GroupRecordConverter(schema));
                    for (long i = 0; i < pages.getRowCount(); i++) {
                        rows.add(records.read());
                    }
                }
            }
        }
        return rows;
    }

    /** The rows of an Arrow IPC file, each value as ArrowFileReader gives it (Text as String). */
    static List<List<Object>> arrowRows(Path file) throws IOException {
        List<List<Object>> rows = new ArrayList<>();
        try (RootAllocator allocator = new RootAllocator();
             FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
             ArrowFileReader reader = new ArrowFileReader(ch, allocator)) {
            VectorSchemaRoot root = reader.getVectorSchemaRoot();
            while (reader.loadNextBatch()) {
                for (int i = 0; i < root.getRowCount(); i++) {
                    List<Object> row = new ArrayList<>();
                    for (FieldVector v : root.getFieldVectors()) {
                        Object o = v.getObject(i);
                        row.add(o instanceof org.apache.arrow.vector.util.Text ? o.toString() : o);
                    }
                    rows.add(row);
                }
            }
        }
        return rows;
    }

    /** The schema metadata of an Arrow IPC file. */
    static Map<String, String> arrowMetadata(Path file) throws IOException {
        try (RootAllocator allocator = new RootAllocator();
             FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
             ArrowFileReader reader = new ArrowFileReader(ch, allocator)) {
            return reader.getVectorSchemaRoot().getSchema().getCustomMetadata();
        }
    }

    /** Asserts two doubles are the same value, NaN included (same code path, same operations: bit for bit). */
    static void assertSameDouble(double expected, double actual, String what) {
        assertEquals(Double.doubleToLongBits(expected), Double.doubleToLongBits(actual),
                what + ": expected " + expected + ", got " + actual);
    }
}
