package dev.chimera.genomics.cli;

import dev.chimera.core.JsonLine;
import dev.chimera.core.kernel.ComputePool;
import dev.chimera.genomics.DnaModel;
import dev.chimera.genomics.vep.AlleleWindows;
import dev.chimera.genomics.vep.IndexedFastaReference;
import dev.chimera.genomics.vep.LlrInfo;
import dev.chimera.genomics.vep.VariantScorer;
import dev.chimera.genomics.vep.VcfOutput;
import dev.chimera.genomics.vep.VcfReader;
import dev.chimera.runtime.BatchProgress;
import dev.chimera.runtime.BatchRun;
import dev.chimera.runtime.JsonOption;
import dev.chimera.runtime.Progress;
import dev.chimera.runtime.UserException;
import htsjdk.variant.vcf.VCFHeader;
import htsjdk.variant.vcf.VCFHeaderLine;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code chimera dna vep}: a DNA model's log-likelihood ratio of every ALT allele of a VCF, written into an INFO field. */
@Command(name = "vep",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Scores each ALT allele of a VCF by a DNA language model: LLR = ln P(ALT window) - ln P(REF window) in nats, "
                    + "averaged over the forward and reverse-complement strands. The windows hold REF or ALT between "
                    + "the same reference flanks of (W - longest allele) / 2 bases each (fewer at a contig end), so an "
                    + "indel's two windows differ in length only by the indel; every base of a window is predicted "
                    + "from those before it (softmax over A, C, G, T). Negative: the model finds ALT less likely.",
            "SNVs, MNVs and indels of up to " + AlleleWindows.MAX_ALLELE + " bp are scored; symbolic, breakend and "
                    + "'*' alleles, alleles with other letters than A/C/G/T and longer ones get '.' and are counted "
                    + "in a warning. Multi-allelic records get one value per ALT (Number=A).",
            "--vcf: plain, gzip or bgzip, sorted by position within contigs. --reference: FASTA with its .fai (built "
                    + "here when missing) or bgzipped with .fai and .gzi (samtools faidx). A contig missing from the "
                    + "reference, a position past its end or a REF that differs from it is an error naming the record.",
            "--out: a bgzipped VCF with a tabix index (OUT.vcf.gz.tbi), written under temporary names and renamed "
                    + "into place at the end, so a failure leaves no output."})
public final class VepCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    VepOptions options;

    @Option(names = "--vcf", required = true, paramLabel = "FILE", description = "Variants: VCF, plain, gzip or bgzip.")
    Path vcf;

    @Option(names = "--reference", required = true, paramLabel = "FILE",
            description = "The reference FASTA the VCF was called against (plain or bgzipped, indexed).")
    Path reference;

    @Option(names = "--out", required = true, paramLabel = "OUT.vcf.gz",
            description = "The VCF with the scores: bgzipped, with OUT.vcf.gz.tbi beside it.")
    Path out;

    @Mixin
    JsonOption json;

    /** Sites scored together: enough windows for several full forward passes. */
    private static final int WINDOWS_PER_CHUNK = 512;

    /** What the checking pass found. */
    private record Census(long records, long alts, long scored, Map<AlleleWindows.Unscored, Long> unscored) {
    }

    @Override
    public Integer call() throws IOException {
        CommandLine cl = spec.commandLine();
        options.validate(cl);
        if (!out.getFileName().toString().endsWith(".vcf.gz")) {
            throw new CommandLine.ParameterException(cl, "--out " + out + ": expected a .vcf.gz file name (it is "
                    + "written bgzipped, with a tabix index beside it)");
        }
        int threads = options.compute.threads();
        BatchRun.requireWritable(out, "--out");
        Progress notes = new Progress(cl.getErr(), System.console() != null, "");
        DnaModel model = options.openModel();
        int window = options.window(cl, model);
        long t0 = System.nanoTime();
        Census census;
        try (IndexedFastaReference ref = IndexedFastaReference.open(reference, "--reference", notes::note)) {
            census = check(ref, window);
            notes.note(String.format(Locale.ROOT, "checked %,d records against %s in %.1f s", census.records(),
                    reference, (System.nanoTime() - t0) / 1e9));
            warnUnscored(notes, census);
            try (ComputePool pool = new ComputePool(threads)) {
                score(ref, options.scorer(model, window, pool), model, window, census, notes);
            }
        }
        print(cl.getOut(), census, window, threads, (System.nanoTime() - t0) / 1e9);
        return 0;
    }

    /** The first pass: every record against the reference, their order, and how many ALTs will be scored. */
    private Census check(IndexedFastaReference ref, int window) {
        long records = 0;
        long alts = 0;
        long scored = 0;
        Map<AlleleWindows.Unscored, Long> unscored = new EnumMap<>(AlleleWindows.Unscored.class);
        Set<String> doneContigs = new HashSet<>();
        String contig = null;
        long position = 0;
        try (VcfReader in = VcfReader.open(vcf)) {
            for (VcfReader.Entry e = in.next(); e != null; e = in.next()) {
                String c = e.variant().getContig();
                if (!c.equals(contig)) {
                    if (doneContigs.contains(c)) {
                        throw new UserException(e.where() + ": not sorted: contig " + c + " appears again after "
                                + contig + " (tabix needs each contig's records together; sort with 'bcftools sort')");
                    }
                    if (contig != null) {
                        doneContigs.add(contig);
                    }
                    contig = c;
                } else if (e.variant().getStart() < position) {
                    throw new UserException(e.where() + ": not sorted: position " + e.variant().getStart()
                            + " after " + position + " (sort with 'bcftools sort')");
                }
                position = e.variant().getStart();
                AlleleWindows w = AlleleWindows.of(ref, e.site(), window);
                records++;
                alts += w.altCount();
                scored += w.scoredAlts();
                for (int a = 0; a < w.altCount(); a++) {
                    if (w.unscored(a) != null) {
                        unscored.merge(w.unscored(a), 1L, Long::sum);
                    }
                }
            }
        }
        return new Census(records, alts, scored, unscored);
    }

    private static void warnUnscored(Progress notes, Census census) {
        if (census.unscored().isEmpty()) {
            return;
        }
        List<String> parts = new ArrayList<>();
        long total = 0;
        for (Map.Entry<AlleleWindows.Unscored, Long> e : census.unscored().entrySet()) {
            parts.add(String.format(Locale.ROOT, "%,d %s", e.getValue(), e.getKey().description()));
            total += e.getValue();
        }
        notes.note(String.format(Locale.ROOT, "warning: %,d ALT alleles not scored ('.'): %s", total,
                String.join(", ", parts)));
    }

    /** The second pass: sites in chunks through the scorer, each record written with its scores. */
    private void score(IndexedFastaReference ref, VariantScorer scorer, DnaModel model, int window, Census census,
                       Progress notes) throws IOException {
        try (VcfReader in = VcfReader.open(vcf)) {
            String description = LlrInfo.description(VepOptions.describe(model), window);
            VCFHeader header = LlrInfo.header(in.header(), options.infoKey, description, ref.dictionary(),
                    List.of(new VCFHeaderLine("chimera_dna_vep", "model=" + VepOptions.describe(model) + "; window="
                            + window + "; reference=" + reference.toAbsolutePath().normalize())));
            if (in.header().getInfoHeaderLine(options.infoKey) != null) {
                notes.note("note: " + vcf + " already declares INFO/" + options.infoKey + "; its values are replaced");
            }
            Progress.Step step = notes.step("scoring", census.scored(), "ALT alleles");
            try (VcfOutput output = VcfOutput.create(out, header, ref.dictionary())) {
                List<VcfReader.Entry> entries = new ArrayList<>();
                List<AlleleWindows> sites = new ArrayList<>();
                int windows = 0;
                long done = 0;
                for (VcfReader.Entry e = in.next(); ; e = in.next()) {
                    if (e != null) {
                        AlleleWindows w = AlleleWindows.of(ref, e.site(), window);
                        entries.add(e);
                        sites.add(w);
                        windows += VariantScorer.windows(w);
                        done += w.scoredAlts();
                    }
                    if (e == null || windows >= WINDOWS_PER_CHUNK) {
                        List<double[]> llr = scorer.score(sites);
                        for (int i = 0; i < entries.size(); i++) {
                            output.add(LlrInfo.annotate(entries.get(i).variant(), options.infoKey, llr.get(i)));
                        }
                        step.update(done);
                        entries.clear();
                        sites.clear();
                        windows = 0;
                    }
                    if (e == null) {
                        break;
                    }
                }
                output.commit();
            }
            step.done();
        }
    }

    private void print(PrintWriter w, Census census, int window, int threads, double seconds) {
        double rate = seconds > 0 ? census.scored() / seconds : Double.NaN;
        long unscored = census.alts() - census.scored();
        if (json.enabled()) {
            w.println(new JsonLine().put("op", "dna-vep").put("records", census.records())
                    .put("alt_alleles", census.alts()).put("scored", census.scored()).put("not_scored", unscored)
                    .put("window", window).put("info_key", options.infoKey).put("units", "nats")
                    .put("seconds", seconds, 3).put("variants_per_s", rate, 2).put("threads", threads)
                    .put("out", out.toString()).put("index", VcfOutput.index(out).toString()));
        } else {
            w.printf(Locale.ROOT, "records       %,d (%,d ALT alleles: %,d scored, %,d not scored)%n", census.records(),
                    census.alts(), census.scored(), unscored);
            w.printf(Locale.ROOT, "score         INFO/%s = ln P(ALT) - ln P(REF) in nats, windows of up to %d bp, "
                    + "both strands%n", options.infoKey, window);
            w.printf(Locale.ROOT, "time          %s, %,.1f ALT alleles/s, %d threads%n", BatchProgress.duration(seconds),
                    rate, threads);
            w.printf("wrote         %s, %s%n", out, VcfOutput.index(out));
        }
        w.flush();
    }
}
