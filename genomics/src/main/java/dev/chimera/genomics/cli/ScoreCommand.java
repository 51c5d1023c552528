package dev.chimera.genomics.cli;

import dev.chimera.core.JsonLine;
import dev.chimera.core.checkpoint.AtomicFiles;
import dev.chimera.core.decoder.Decoder;
import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.model.ModelConfig;
import dev.chimera.genomics.DnaModel;
import dev.chimera.genomics.NucleotideTokenizer;
import dev.chimera.genomics.Scorer;
import dev.chimera.runtime.ArrowTables;
import dev.chimera.runtime.ArrowTables.Column;
import dev.chimera.runtime.BatchProgress;
import dev.chimera.runtime.BatchRun;
import dev.chimera.runtime.InferenceSpan;
import dev.chimera.runtime.Progress;
import dev.chimera.runtime.RunJournal;
import dev.chimera.runtime.UserException;
import dev.chimera.runtime.WindowedPrefill;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.LongConsumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code chimera dna score}: the log-likelihood of every record of a FASTA/FASTQ file under a DNA model. */
@Command(name = "score",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Log-likelihood of each record under a DNA language model: the model reads BOS and the bases and "
                    + "predicts each base from those before it; log_likelihood = sum of ln p(base) in nats, "
                    + "bits_per_base = -log_likelihood / (ln 2 * scored_bases).",
            "N (and IUPAC codes, and invalid characters under --on-invalid mask) is read as input but not scored: "
                    + "it adds nothing to log_likelihood and is not counted in scored_bases.",
            "A record of any length is read in chunks (--chunk) carrying the model's state; with --span context "
                    + "(the default) memory does not grow with the record.",
            "Output by the extension of --out: .tsv, a header line 'id length log_likelihood bits_per_base "
                    + "scored_bases' and one tab-separated line per record; .arrow, an Arrow IPC file with columns id "
                    + "(utf8), length (int64), log_likelihood (float64), bits_per_base (float64), scored_bases (int64). "
                    + "Rows are in input order.",
            "--per-position[=FILE]: also an Arrow IPC file (default: OUT with its extension replaced by "
                    + ".positions.arrow) with one row per base: id (utf8), position (int64, 1-based), base (utf8, "
                    + "A C G T or N), log_prob (float64, ln p; NaN for N). Per record, the log_prob values sum to "
                    + "its log_likelihood.",
            "Interruptions: results are appended to OUT.journal as each record completes (one write per frame, "
                    + "with a checksum; forced to disk at least once a second), and the outputs are written from "
                    + "it at the end under temporary names and renamed into place, so a kill at any moment "
                    + "leaves no output or a complete one. --resume continues from the journal: completed records "
                    + "are kept, a torn last frame or a record in progress is dropped, the rest is computed."})
public final class ScoreCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    DnaBatchOptions options;

    @Option(names = "--out", required = true, paramLabel = "OUT.tsv|OUT.arrow",
            description = "Per-record results: a .tsv or .arrow file.")
    Path out;

    @Option(names = "--per-position", arity = "0..1", paramLabel = "FILE", fallbackValue = "",
            description = "Also write per-position log-probabilities to FILE (Arrow IPC; default: OUT with "
                    + "extension .positions.arrow).")
    String perPosition;

    private static final byte POSITIONS = 'P';
    private static final byte RECORD = 'R';
    private static final int POSITION_ROWS_PER_BATCH = 1 << 16;

    private enum Format { TSV, ARROW }

    @Override
    public Integer call() throws IOException {
        CommandLine cl = spec.commandLine();
        options.batch.validate(cl);
        Format format = format(cl, out);
        Path positionsOut = perPosition == null ? null : perPosition.isEmpty() ? defaultPositions(out) : Path.of(perPosition);
        if (positionsOut != null && !positionsOut.getFileName().toString().endsWith(".arrow")) {
            throw new CommandLine.ParameterException(cl, "--per-position " + positionsOut + ": expected a .arrow file");
        }
        if (positionsOut != null && positionsOut.toAbsolutePath().equals(out.toAbsolutePath())) {
            throw new CommandLine.ParameterException(cl, "--per-position must name another file than --out");
        }
        BatchRun.requireWritable(out, "--out");
        if (positionsOut != null) {
            BatchRun.requireWritable(positionsOut, "--per-position");
        }
        Progress notes = new Progress(cl.getErr(), System.console() != null, "");
        DnaModel model = options.openModel();
        ModelConfig config = options.inferenceConfig(model);
        Map<String, String> settings = options.settings("score", model, config);
        settings.put("out", format.name().toLowerCase(Locale.ROOT));
        settings.put("per_position", positionsOut == null ? "" : positionsOut.toAbsolutePath().normalize().toString());

        try (ComputePool pool = new ComputePool(options.batch.threads())) {
            Decoder decoder = options.decoder(model, config, pool);
            Scorer scorer = new Scorer(decoder, options.batch.chunk());
            Map<String, String> metadata = new LinkedHashMap<>();
            metadata.put("command", "chimera dna score");
            metadata.put("model", settings.get("model"));
            metadata.put("spans", settings.get("spans"));
            metadata.put("input", settings.get("input"));
            metadata.put("n_bases", "read as input, not scored (log_prob NaN)");
            double[] total = {0};
            long[] scored = {0};
            Work work = new Work(decoder, scorer, format, positionsOut, metadata, total, scored);
            BatchRun.Summary s = BatchRun.run(options.input(), options.batch.resume(), out, "scoring", "bases", settings,
                    work, notes, cl.getErr());
            print(cl.getOut(), s, work, config);
        }
        return 0;
    }

    private static Format format(CommandLine cl, Path out) {
        String name = out.getFileName().toString();
        if (name.endsWith(".tsv")) {
            return Format.TSV;
        }
        if (name.endsWith(".arrow")) {
            return Format.ARROW;
        }
        throw new CommandLine.ParameterException(cl, "--out " + out + ": expected a .tsv or .arrow file name");
    }

    static Path defaultPositions(Path out) {
        String name = out.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return out.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + ".positions.arrow");
    }

    /** Computing a record and making the outputs. */
    private final class Work implements BatchRun.Work<FastaInput.Tokenized> {
        final Decoder decoder;
        final Scorer scorer;
        final Format format;
        final Path positionsOut;
        final Map<String, String> metadata;
        final double[] total;   // log-likelihood of every record (this run's and resumed ones, from the journal)
        final long[] scored;    // scored bases, likewise

        Work(Decoder decoder, Scorer scorer, Format format, Path positionsOut, Map<String, String> metadata,
             double[] total, long[] scored) {
            this.decoder = decoder;
            this.scorer = scorer;
            this.format = format;
            this.positionsOut = positionsOut;
            this.metadata = metadata;
            this.total = total;
            this.scored = scored;
        }

        @Override
        public long units(long bases) {
            return bases;
        }

        @Override
        public void check(FastaInput.Tokenized r) {
            WindowedPrefill.requireFits(decoder, Scorer.positions(r.tokens().length), r.where());
        }

        @Override
        public void compute(long index, FastaInput.Tokenized r, RunJournal journal, LongConsumer progress)
                throws IOException {
            String id = r.id();
            byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
            Scorer.PositionSink sink = positionsOut == null ? null : (from, toks, logProbs) -> {
                ByteBuffer b = ByteBuffer.allocate(4 + idBytes.length + 8 + 4 + logProbs.length * 9);
                b.putInt(idBytes.length).put(idBytes).putLong(from).putInt(logProbs.length);
                b.put(toks, (int) from, logProbs.length);
                for (double lp : logProbs) {
                    b.putDouble(lp);
                }
                try {
                    journal.appendPart(POSITIONS, b.array());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            };
            Scorer.Score s = scorer.score(r.tokens(), r.where(), sink, progress);
            ByteBuffer b = ByteBuffer.allocate(3 * 8);
            b.putLong(s.length()).putLong(s.scored()).putDouble(s.logLikelihood());
            journal.appendRecord(RECORD, index, id, b.array());
        }

        @Override
        public List<Path> outputs() {
            List<Path> files = new ArrayList<>(List.of(out));
            if (positionsOut != null) {
                files.add(positionsOut);
            }
            return files;
        }

        @Override
        public void assemble(Path journal) throws IOException {
            List<Column> columns = List.of(Column.utf8("id"), Column.int64("length"), Column.float64("log_likelihood"),
                    Column.float64("bits_per_base"), Column.int64("scored_bases"));
            List<Column> positionColumns = List.of(Column.utf8("id"), Column.int64("position"), Column.utf8("base"),
                    Column.float64("log_prob"));
            try (ArrowTables.Writer arrow = format == Format.ARROW
                    ? ArrowTables.create(out, columns, 1024, metadata) : null;
                 ArrowTables.Writer positions = positionsOut == null ? null
                         : ArrowTables.create(positionsOut, positionColumns, POSITION_ROWS_PER_BATCH, metadata)) {
                if (format == Format.TSV) {
                    AtomicFiles.write(out.toAbsolutePath(), ch -> {
                        Writer w = new BufferedWriter(new OutputStreamWriter(Channels.newOutputStream(ch),
                                StandardCharsets.UTF_8), 1 << 16);
                        w.write("id\tlength\tlog_likelihood\tbits_per_base\tscored_bases\n");
                        RunJournal.replay(journal, new Replay(journal, w, null, positions));
                        w.flush(); // not closed: AtomicFiles forces and closes the channel
                    });
                } else {
                    RunJournal.replay(journal, new Replay(journal, null, arrow, positions));
                    arrow.commit();
                }
                if (positions != null) {
                    positions.commit();
                }
            }
        }

        /** Turns the journal's frames into rows of the outputs, and sums the totals. */
        private final class Replay implements RunJournal.Visitor {
            final Path journal;
            final Writer tsv;
            final ArrowTables.Writer arrow;
            final ArrowTables.Writer positions;

            Replay(Path journal, Writer tsv, ArrowTables.Writer arrow, ArrowTables.Writer positions) {
                this.journal = journal;
                this.tsv = tsv;
                this.arrow = arrow;
                this.positions = positions;
            }

            @Override
            public void part(byte type, byte[] payload) {
                if (type != POSITIONS || positions == null) {
                    throw new UserException(journal + ": unexpected frame '" + (char) type + "'");
                }
                ByteBuffer b = ByteBuffer.wrap(payload);
                byte[] idBytes = new byte[b.getInt()];
                b.get(idBytes);
                String id = new String(idBytes, StandardCharsets.UTF_8);
                long from = b.getLong();
                int n = b.getInt();
                byte[] toks = new byte[n];
                b.get(toks);
                for (int i = 0; i < n; i++) {
                    positions.set(0, id).set(1, from + i + 1).set(2, NucleotideTokenizer.name(toks[i]))
                            .set(3, b.getDouble());
                    positions.endRow();
                }
            }

            @Override
            public void record(byte type, long index, String id, byte[] payload) throws IOException {
                if (type != RECORD) {
                    throw new UserException(journal + ": unexpected record frame '" + (char) type + "'");
                }
                ByteBuffer b = ByteBuffer.wrap(payload);
                Scorer.Score s = new Scorer.Score(b.getLong(), b.getLong(), b.getDouble());
                total[0] += s.logLikelihood();
                scored[0] += s.scored();
                if (arrow != null) {
                    arrow.set(0, id).set(1, s.length()).set(2, s.logLikelihood()).set(3, s.bitsPerBase())
                            .set(4, s.scored());
                    arrow.endRow();
                } else {
                    tsv.write(id + "\t" + s.length() + "\t" + fixed(s.logLikelihood()) + "\t" + fixed(s.bitsPerBase())
                            + "\t" + s.scored() + "\n");
                }
            }
        }
    }

    private static String fixed(double x) {
        return Double.isNaN(x) ? "NaN" : String.format(Locale.ROOT, "%.6f", x);
    }

    private void print(PrintWriter w, BatchRun.Summary s, Work work, ModelConfig config) {
        if (s.nothingToDo()) {
            if (options.batch.json()) {
                w.println(new JsonLine().put("op", "dna-score").put("out", out.toString()).put("status", "complete"));
            }
            w.flush();
            return;
        }
        double bpb = work.scored[0] == 0 ? Double.NaN : -work.total[0] / (Math.log(2) * work.scored[0]);
        double rate = s.seconds() > 0 ? s.computedUnits() / s.seconds() : Double.NaN;
        if (options.batch.json()) {
            JsonLine o = new JsonLine().put("op", "dna-score").put("records", s.records()).put("bases", s.size())
                    .put("scored_bases", work.scored[0]).put("log_likelihood", work.total[0], 6)
                    .put("bits_per_base", bpb, 6).put("resumed_records", s.resumedRecords())
                    .put("computed_bases", s.computedUnits()).put("seconds", s.seconds(), 3)
                    .put("bases_per_s", rate, 1).put("spans", InferenceSpan.describe(config))
                    .put("threads", options.batch.threads()).put("out", out.toString());
            if (work.positionsOut != null) {
                o.put("positions", work.positionsOut.toString());
            }
            w.println(o);
        } else {
            w.printf(Locale.ROOT, "records       %,d (%,d bases, %,d scored)%n", s.records(), s.size(), work.scored[0]);
            w.printf(Locale.ROOT, "bits/base     %.4f over all records%n", bpb);
            w.printf(Locale.ROOT, "spans         %s%n", InferenceSpan.describe(config));
            w.printf(Locale.ROOT, "time          %s, %,.0f bases/s%s%n", BatchProgress.duration(s.seconds()), rate,
                    s.resumedRecords() > 0 ? String.format(Locale.ROOT, " (%,d records were already done)",
                            s.resumedRecords()) : "");
            w.printf("wrote         %s%s%n", out, work.positionsOut == null ? "" : ", " + work.positionsOut);
        }
        w.flush();
    }
}
