package dev.chimera.genomics.cli;

import dev.chimera.core.JsonLine;
import dev.chimera.core.decoder.Decoder;
import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.model.ModelConfig;
import dev.chimera.genomics.DnaModel;
import dev.chimera.genomics.Embedder;
import dev.chimera.runtime.ArrowTables;
import dev.chimera.runtime.ArrowTables.Column;
import dev.chimera.runtime.BatchProgress;
import dev.chimera.runtime.BatchRun;
import dev.chimera.runtime.InferenceSpan;
import dev.chimera.runtime.Progress;
import dev.chimera.runtime.RunJournal;
import dev.chimera.runtime.UserException;
import dev.chimera.runtime.WindowedPrefill;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.file.Path;
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

/** {@code chimera dna embed}: one vector per record of a FASTA/FASTQ file from a DNA model's hidden states. */
@Command(name = "embed",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "One vector per record from the model's last hidden states (the final norm's output, width dModel); the "
                    + "model reads BOS and the bases (BOS's own state is never pooled). --pooling:",
            "  mean: the mean over the record's base positions.",
            "  centred: the mean less the model's centre, the mean vector of 16 sequences the model samples itself "
                    + "(seeded; computed at the start, a few seconds): removes the part all DNA shares, which puts "
                    + "the cosine similarity of any two mean vectors near 1.",
            "  last: the state at the last base.",
            "  echo: echo embedding (HybriDNA): the model reads BOS, the bases, and the bases again, and the states "
                    + "of the second copy are averaged, each having seen the whole record once. Twice the work. "
                    + "--echo is --pooling echo.",
            "Output: an Arrow IPC file with columns id (utf8) and embedding (fixed-size list of dModel float32), "
                    + "one row per record in input order; the schema's metadata names the pooling (key 'pooling') "
                    + "and, for centred, holds the centre ('centre', comma-separated).",
            "Interruptions: vectors are appended to OUT.journal as each record completes (one write per frame, "
                    + "with a checksum; forced to disk at least once a second), and the Arrow file is written from "
                    + "it at the end under a temporary name and renamed into place, so a kill at any moment leaves "
                    + "no output or a complete one. --resume continues from the journal: completed records are "
                    + "kept, a torn last frame is dropped, the rest is computed."})
public final class EmbedCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    DnaBatchOptions options;

    @Option(names = "--out", required = true, paramLabel = "OUT.arrow", description = "The embeddings, an Arrow IPC file.")
    Path out;

    @Mixin
    PoolingOption poolingOption;

    private static final byte EMBEDDING = 'E';

    @Override
    public Integer call() throws IOException {
        CommandLine cl = spec.commandLine();
        options.batch.validate(cl);
        if (!out.getFileName().toString().endsWith(".arrow")) {
            throw new CommandLine.ParameterException(cl, "--out " + out + ": expected a .arrow file name");
        }
        Embedder.Pooling chosen = poolingOption.chosen(cl);
        BatchRun.requireWritable(out, "--out");
        Progress notes = new Progress(cl.getErr(), System.console() != null, "");
        DnaModel model = options.openModel();
        ModelConfig config = options.inferenceConfig(model);
        Map<String, String> settings = options.settings("embed", model, config);
        settings.put("pooling", chosen.label());

        try (ComputePool pool = new ComputePool(options.batch.threads())) {
            Decoder decoder = options.decoder(model, config, pool);
            Map<String, String> metadata = new LinkedHashMap<>();
            metadata.put("command", "chimera dna embed --pooling " + chosen.label());
            metadata.put("model", settings.get("model"));
            metadata.put("spans", settings.get("spans"));
            metadata.put("input", settings.get("input"));
            metadata.put("pooling", chosen.label());
            metadata.put("pooling_detail", chosen.description());
            BatchRun.Work<FastaInput.Tokenized> work = new BatchRun.Work<>() {
                /** Made when first needed, so that the centre is computed only once the input has been checked. */
                private Embedder embedder;

                private Embedder embedder() {
                    if (embedder == null) {
                        float[] centre = null;
                        if (chosen == Embedder.Pooling.CENTRED) {
                            centre = PoolingOption.centre(model, decoder, options.batch.chunk(), notes::note);
                            metadata.putAll(PoolingOption.centreMetadata(centre, model));
                        }
                        embedder = new Embedder(decoder, options.batch.chunk(), chosen, centre);
                    }
                    return embedder;
                }

                @Override
                public long units(long bases) {
                    return chosen.positions(bases);
                }

                @Override
                public void check(FastaInput.Tokenized r) {
                    if (r.tokens().length == 0) {
                        throw new UserException(r.where() + ": no bases left to embed after --on-invalid skip");
                    }
                    WindowedPrefill.requireFits(decoder, chosen.positions(r.tokens().length), r.where());
                }

                @Override
                public void compute(long index, FastaInput.Tokenized r, RunJournal journal, LongConsumer progress)
                        throws IOException {
                    float[] v = embedder().embed(r.tokens(), r.where(), progress);
                    ByteBuffer b = ByteBuffer.allocate(4 * v.length);
                    b.asFloatBuffer().put(v);
                    journal.appendRecord(EMBEDDING, index, r.id(), b.array());
                }

                @Override
                public List<Path> outputs() {
                    return List.of(out);
                }

                @Override
                public void assemble(Path journal) throws IOException {
                    int d = embedder().dim();
                    try (ArrowTables.Writer w = ArrowTables.create(out, List.of(Column.utf8("id"),
                            Column.embedding("embedding", d)), 1024, metadata)) {
                        RunJournal.replay(journal, new RunJournal.Visitor() {
                            @Override
                            public void part(byte type, byte[] payload) {
                                throw new UserException(journal + ": unexpected frame '" + (char) type + "'");
                            }

                            @Override
                            public void record(byte type, long index, String id, byte[] payload) {
                                if (type != EMBEDDING || payload.length != 4 * d) {
                                    throw new UserException(journal + ": record " + (index + 1) + " is not an "
                                            + "embedding of " + d + " values");
                                }
                                float[] v = new float[d];
                                ByteBuffer.wrap(payload).asFloatBuffer().get(v);
                                w.set(0, id).set(1, v);
                                w.endRow();
                            }
                        });
                        w.commit();
                    }
                }
            };
            BatchRun.Summary s = BatchRun.run(options.input(), options.batch.resume(), out, "embedding", "positions",
                    settings, work, notes, cl.getErr());
            print(cl.getOut(), s, config, config.dModel(), chosen);
        }
        return 0;
    }

    private void print(PrintWriter w, BatchRun.Summary s, ModelConfig config, int dim, Embedder.Pooling chosen) {
        if (s.nothingToDo()) {
            if (options.batch.json()) {
                w.println(new JsonLine().put("op", "dna-embed").put("out", out.toString()).put("status", "complete"));
            }
            w.flush();
            return;
        }
        double rate = s.seconds() > 0 ? s.computedUnits() / s.seconds() : Double.NaN;
        if (options.batch.json()) {
            w.println(new JsonLine().put("op", "dna-embed").put("records", s.records()).put("bases", s.size())
                    .put("dim", dim).put("pooling", chosen.label()).put("resumed_records", s.resumedRecords())
                    .put("computed_positions", s.computedUnits()).put("seconds", s.seconds(), 3)
                    .put("positions_per_s", rate, 1).put("spans", InferenceSpan.describe(config))
                    .put("threads", options.batch.threads()).put("out", out.toString()));
        } else {
            w.printf(Locale.ROOT, "records       %,d (%,d bases), vectors of %d float32, %s pooling%n", s.records(),
                    s.size(), dim, chosen.label());
            w.printf(Locale.ROOT, "spans         %s%n", InferenceSpan.describe(config));
            w.printf(Locale.ROOT, "time          %s, %,.0f positions/s%s%n", BatchProgress.duration(s.seconds()), rate,
                    s.resumedRecords() > 0 ? String.format(Locale.ROOT, " (%,d records were already done)",
                            s.resumedRecords()) : "");
            w.printf("wrote         %s%n", out);
        }
        w.flush();
    }
}
