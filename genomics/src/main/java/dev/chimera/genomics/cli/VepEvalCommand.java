package dev.chimera.genomics.cli;

import dev.chimera.core.JsonLine;
import dev.chimera.core.kernel.ComputePool;
import dev.chimera.genomics.DnaModel;
import dev.chimera.genomics.FastaSource;
import dev.chimera.genomics.MarkovBaseline;
import dev.chimera.genomics.NucleotideTokenizer;
import dev.chimera.genomics.SequenceRecord;
import dev.chimera.genomics.annotation.Gff3Annotation;
import dev.chimera.genomics.vep.AlleleWindows;
import dev.chimera.genomics.vep.CodingVariants;
import dev.chimera.genomics.vep.CodingVariants.Drawn;
import dev.chimera.genomics.vep.CodingVariants.Kind;
import dev.chimera.genomics.vep.InMemoryReference;
import dev.chimera.genomics.vep.LlrInfo;
import dev.chimera.genomics.vep.MarkovVariantScorer;
import dev.chimera.genomics.vep.ScoreStats;
import dev.chimera.genomics.vep.VariantScorer;
import dev.chimera.genomics.vep.VariantSite;
import dev.chimera.genomics.vep.VcfOutput;
import dev.chimera.runtime.BatchProgress;
import dev.chimera.runtime.BatchRun;
import dev.chimera.runtime.JsonOption;
import dev.chimera.runtime.Progress;
import dev.chimera.runtime.UserException;
import htsjdk.samtools.SAMSequenceDictionary;
import htsjdk.samtools.SAMSequenceRecord;
import htsjdk.variant.variantcontext.Allele;
import htsjdk.variant.variantcontext.VariantContext;
import htsjdk.variant.variantcontext.VariantContextBuilder;
import htsjdk.variant.vcf.VCFHeader;
import htsjdk.variant.vcf.VCFHeaderLine;
import htsjdk.variant.vcf.VCFHeaderLineType;
import htsjdk.variant.vcf.VCFHeaderVersion;
import htsjdk.variant.vcf.VCFInfoHeaderLine;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code chimera dna vep-eval}: does the variant score mean something? Stop-gained against
 * synonymous SNVs drawn from an annotated genome, scored as {@code dna vep} scores them.
 */
@Command(name = "vep-eval",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Draws seeded SNVs of two kinds inside the CDS features of a GFF3 (strand and phase respected, standard "
                    + "genetic code): stop-gained (one base turns a sense codon into TAA, TAG or TGA) and synonymous "
                    + "at third codon positions; start and stop codons, internal stops and positions in two reading "
                    + "frames (overlapping genes) are left out.",
            "Scores them with the scorer of 'dna vep' (same --window, LLR in nats, both strands) and prints both "
                    + "distributions (count, mean, quartiles) and the AUROC of 'synonymous scores higher than "
                    + "stop-gained' (Mann-Whitney U / (n1 n2), ties counting 1/2): 0.5 is chance.",
            "--markov-train F: also the same LLR under an order-k Markov model (--markov-order, interpolated "
                    + "Dirichlet smoothing as in 'dna baseline') counted on the FASTA F, e.g. the genome the model "
                    + "was trained on: a baseline row that tells the model's signal from k-mer statistics.",
            "--write-vcf F: the drawn variants with their class, CDS, codon change and score (.vcf.gz: bgzipped with "
                    + "a tabix index; .vcf: plain), to run through 'dna vep'."})
public final class VepEvalCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    VepOptions options;

    @Option(names = "--gff", required = true, paramLabel = "FILE",
            description = "Annotation: GFF3 (plain, gzip or bgzip), with a ##FASTA section unless --fasta is given.")
    Path gff;

    @Option(names = "--fasta", paramLabel = "FILE",
            description = "The genome's sequences (FASTA, plain, gzip or bgzip), instead of the GFF3's ##FASTA section.")
    Path fasta;

    @Option(names = "--variants", paramLabel = "N", defaultValue = "1000",
            description = "Variants drawn of each kind (default: ${DEFAULT-VALUE}).")
    int variants;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "Seed of the draw (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--write-vcf", paramLabel = "F", description = "Also write the drawn variants as a VCF.")
    Path writeVcf;

    @Option(names = "--markov-train", paramLabel = "F",
            description = "FASTA (plain, gzip or bgzip) to count an order-k Markov baseline on; its LLRs are printed "
                    + "beside the model's (default: no baseline).")
    Path markovTrain;

    @Option(names = "--markov-order", paramLabel = "K", defaultValue = "10",
            description = "Order of the Markov baseline, 0.." + MarkovBaseline.MAX_ORDER + " (default: ${DEFAULT-VALUE}; "
                    + "order 12 needs about 500 MB of heap).")
    int markovOrder;

    @Mixin
    JsonOption json;

    /** INFO fields of the written VCF besides the score. */
    static final String CLASS_KEY = "CHIMERA_CLASS";
    static final String CDS_KEY = "CHIMERA_CDS";
    static final String CODON_KEY = "CHIMERA_CODON";

    /** Sites scored per call of the scorer (each 4 windows), for progress. */
    private static final int SITES_PER_CHUNK = 128;

    @Override
    public Integer call() throws IOException {
        CommandLine cl = spec.commandLine();
        options.validate(cl);
        if (variants < 1) {
            throw new CommandLine.ParameterException(cl, "--variants must be >= 1, got " + variants);
        }
        int threads = options.compute.threads();
        if (writeVcf != null) {
            BatchRun.requireWritable(writeVcf, "--write-vcf");
        }
        if (markovOrder < 0 || markovOrder > MarkovBaseline.MAX_ORDER) {
            throw new CommandLine.ParameterException(cl, "--markov-order must be in 0.." + MarkovBaseline.MAX_ORDER
                    + ", got " + markovOrder);
        }
        Progress notes = new Progress(cl.getErr(), System.console() != null, "");
        MarkovVariantScorer markov = markovTrain == null ? null : markov(notes);
        DnaModel model = options.openModel();
        int window = options.window(cl, model);

        Gff3Annotation annotation = Gff3Annotation.read(gff);
        InMemoryReference genome = new InMemoryReference(genome(annotation));
        CodingVariants.Draw draw = CodingVariants.draw(annotation.features("CDS"), genome.contigs(), gff.toString(),
                variants, seed);
        if (draw.stopGained().isEmpty() || draw.synonymous().isEmpty()) {
            throw new UserException(gff + ": no " + (draw.stopGained().isEmpty() ? "stop-gained" : "synonymous")
                    + " candidates in its " + draw.census().codingSequences() + " usable coding sequences");
        }
        List<Drawn> drawn = new ArrayList<>(draw.stopGained());
        drawn.addAll(draw.synonymous());
        drawn.sort(genomeOrder(genome));

        long t0 = System.nanoTime();
        double[] llr = new double[drawn.size()];
        double[] markovLlr = new double[drawn.size()];
        try (ComputePool pool = new ComputePool(threads)) {
            VariantScorer scorer = options.scorer(model, window, pool);
            Progress.Step step = notes.step("scoring", drawn.size(), "variants");
            for (int from = 0; from < drawn.size(); from += SITES_PER_CHUNK) {
                int to = Math.min(drawn.size(), from + SITES_PER_CHUNK);
                List<AlleleWindows> sites = new ArrayList<>();
                for (Drawn d : drawn.subList(from, to)) {
                    sites.add(AlleleWindows.of(genome, site(d), window));
                }
                List<double[]> scores = scorer.score(sites);
                List<double[]> baseline = markov == null ? null : markov.score(sites);
                for (int i = from; i < to; i++) {
                    llr[i] = scores.get(i - from)[0];
                    markovLlr[i] = baseline == null ? Double.NaN : baseline.get(i - from)[0];
                }
                step.update(to);
            }
            step.done();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (writeVcf != null) {
            write(drawn, llr, genome, model, window);
        }
        print(cl.getOut(), genome, draw, drawn, llr, model, window, threads, seconds);
        if (markov != null) {
            printMarkov(cl.getOut(), drawn, markovLlr, markov.order());
        }
        return 0;
    }

    /** The order-k Markov model counted on every record of --markov-train (N breaks the context). */
    private MarkovVariantScorer markov(Progress notes) {
        Runtime rt = Runtime.getRuntime();
        long need = MarkovBaseline.memoryBytes(markovOrder, Integer.MAX_VALUE);
        long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        if (need > free) {
            throw new UserException(String.format(Locale.ROOT, "--markov-order %d needs up to %,d MB of heap, %,d MB "
                    + "are free; lower it or raise the heap (CHIMERA_JAVA_OPTS=-Xmx2g)", markovOrder, need >> 20,
                    free >> 20));
        }
        MarkovBaseline.Counter counter = new MarkovBaseline.Counter(markovOrder);
        NucleotideTokenizer tokenizer = new NucleotideTokenizer(NucleotideTokenizer.OnInvalid.MASK);
        Progress.Step step = notes.step("counting Markov order " + markovOrder, 1, "files");
        try (FastaSource source = FastaSource.open(markovTrain)) {
            while (source.hasNext()) {
                SequenceRecord r = source.next();
                byte[] tokens = tokenizer.encode(r.bases(), markovTrain + ": " + r.id());
                counter.add(tokens, 0, tokens.length);
            }
        }
        step.done();
        if (counter.positions() == 0) {
            throw new UserException(markovTrain + ": no A/C/G/T bases to count a Markov baseline on");
        }
        markovBases = counter.positions();
        return new MarkovVariantScorer(counter.build(), markovOrder);
    }

    /** Bases the Markov baseline was counted on. */
    private long markovBases;

    /** --fasta's records, else the GFF3's ##FASTA section. */
    private Map<String, byte[]> genome(Gff3Annotation annotation) {
        Map<String, byte[]> genome = annotation.genome(fasta);
        if (genome.isEmpty()) {
            throw new UserException(gff + ": no ##FASTA section with the genome's sequences; pass --fasta");
        }
        return genome;
    }

    private static Comparator<Drawn> genomeOrder(InMemoryReference genome) {
        Map<String, Integer> rank = new HashMap<>();
        for (String contig : genome.contigs().keySet()) {
            rank.put(contig, rank.size());
        }
        return Comparator.comparingInt((Drawn d) -> rank.get(d.contig())).thenComparingLong(Drawn::position)
                .thenComparing(Drawn::alt);
    }

    private static VariantSite site(Drawn d) {
        return new VariantSite(d.contig(), d.position(), String.valueOf(d.ref()), List.of(String.valueOf(d.alt())),
                "drawn " + d.kind().term() + " " + d.contig() + ":" + d.position());
    }

    /** --write-vcf: the drawn variants in genome order with their class, CDS, codon change and score. */
    private void write(List<Drawn> drawn, double[] llr, InMemoryReference genome, DnaModel model, int window)
            throws IOException {
        List<SAMSequenceRecord> contigs = new ArrayList<>();
        for (Map.Entry<String, byte[]> c : genome.contigs().entrySet()) {
            contigs.add(new SAMSequenceRecord(c.getKey(), c.getValue().length));
        }
        SAMSequenceDictionary dictionary = new SAMSequenceDictionary(contigs);
        VCFHeader base = new VCFHeader();
        base.addMetaDataLine(new VCFHeaderLine(VCFHeaderVersion.VCF4_2.getFormatString(),
                VCFHeaderVersion.VCF4_2.getVersionString()));
        base.addMetaDataLine(new VCFInfoHeaderLine(CLASS_KEY, 1, VCFHeaderLineType.String,
                "Kind of drawn SNV (Sequence Ontology): stop_gained or synonymous_variant"));
        base.addMetaDataLine(new VCFInfoHeaderLine(CDS_KEY, 1, VCFHeaderLineType.String,
                "The coding sequence (GFF3 Parent or ID of its CDS features) and its strand"));
        base.addMetaDataLine(new VCFInfoHeaderLine(CODON_KEY, 1, VCFHeaderLineType.String,
                "Codon change on the coding strand, REF>ALT"));
        VCFHeader header = LlrInfo.header(base, options.infoKey, LlrInfo.description(VepOptions.describe(model), window),
                dictionary, List.of(new VCFHeaderLine("chimera_dna_vep_eval", "gff=" + gff.toAbsolutePath().normalize()
                        + "; variants=" + variants + "; seed=" + seed)));
        try (VcfOutput out = VcfOutput.create(writeVcf, header, dictionary)) {
            for (int i = 0; i < drawn.size(); i++) {
                Drawn d = drawn.get(i);
                VariantContext v = new VariantContextBuilder("chimera", d.contig(), d.position(), d.position(),
                        List.of(Allele.create(String.valueOf(d.ref()), true), Allele.create(String.valueOf(d.alt()))))
                        .attribute(CLASS_KEY, d.kind().term()).attribute(CDS_KEY, d.cds() + "(" + d.strand() + ")")
                        .attribute(CODON_KEY, d.codon() + ">" + d.mutated()).make();
                out.add(LlrInfo.annotate(v, options.infoKey, new double[] {llr[i]}));
            }
            out.commit();
        }
    }

    private static double[] scoresOf(List<Drawn> drawn, double[] llr, Kind kind) {
        return java.util.stream.IntStream.range(0, drawn.size()).filter(i -> drawn.get(i).kind() == kind)
                .mapToDouble(i -> llr[i]).toArray();
    }

    private void print(PrintWriter w, InMemoryReference genome, CodingVariants.Draw draw,
                       List<Drawn> drawn, double[] llr, DnaModel model, int window, int threads, double seconds) {
        ScoreStats.Summary stop = ScoreStats.summary(scoresOf(drawn, llr, Kind.STOP_GAINED));
        ScoreStats.Summary syn = ScoreStats.summary(scoresOf(drawn, llr, Kind.SYNONYMOUS));
        double auroc = ScoreStats.auroc(scoresOf(drawn, llr, Kind.SYNONYMOUS), scoresOf(drawn, llr, Kind.STOP_GAINED));
        double se = ScoreStats.aurocStandardError(auroc, syn.count(), stop.count());
        CodingVariants.Census c = draw.census();
        long bases = genome.contigs().values().stream().mapToLong(b -> b.length).sum();
        double rate = drawn.size() / seconds;
        if (json.enabled()) {
            JsonLine o = new JsonLine().put("op", "dna-vep-eval").put("gff", gff.toString())
                    .put("contigs", genome.contigs().size()).put("bases", bases).put("cds_features", c.cdsFeatures())
                    .put("coding_sequences", c.codingSequences()).put("codons", c.codons())
                    .put("ambiguous_positions", c.ambiguousPositions())
                    .put("candidates_stop_gained", c.stopGainedCandidates())
                    .put("candidates_synonymous", c.synonymousCandidates()).put("seed", seed).put("window", window)
                    .put("units", "nats");
            put(o, "stop_gained", stop);
            put(o, "synonymous", syn);
            w.println(o.put("auroc", auroc, 4).put("auroc_se", se, 4).put("seconds", seconds, 3).put("variants_per_s", rate, 2)
                    .put("threads", threads).put("model", VepOptions.describe(model)));
        } else {
            int contigs = genome.contigs().size();
            w.printf(Locale.ROOT, "genome        %s: %,d %s, %,d bp; %,d CDS features in %,d coding sequences%n",
                    gff, contigs, contigs == 1 ? "contig" : "contigs", bases, c.cdsFeatures(), c.codingSequences());
            if (c.skippedNoStrand() + c.skippedPhase() + c.skippedShort() > 0) {
                w.printf(Locale.ROOT, "skipped       %,d on no single strand, %,d with disagreeing phases, %,d under "
                        + "3 codons%n", c.skippedNoStrand(), c.skippedPhase(), c.skippedShort());
            }
            w.printf(Locale.ROOT, "candidates    %,d stop-gained, %,d synonymous (third position) in %,d codons; "
                    + "%,d codon positions in two reading frames left out%n", c.stopGainedCandidates(),
                    c.synonymousCandidates(), c.codons(), c.ambiguousPositions());
            w.printf(Locale.ROOT, "drawn         %,d stop-gained, %,d synonymous (seed %d)%n", stop.count(), syn.count(),
                    seed);
            w.printf(Locale.ROOT, "score         LLR = ln P(ALT) - ln P(REF) in nats, windows of up to %d bp, both "
                    + "strands; %s%n", window, VepOptions.describe(model));
            w.printf(Locale.ROOT, "%-13s %7s %9s %9s %9s %9s%n", "", "count", "mean", "q1", "median", "q3");
            row(w, "stop-gained", stop);
            row(w, "synonymous", syn);
            w.printf(Locale.ROOT, "AUROC         %.4f +- %.4f (synonymous scores above stop-gained; 0.5 is chance; "
                    + "standard error by Hanley-McNeil)%n", auroc, se);
            w.printf(Locale.ROOT, "time          %s, %,.1f variants/s, %d threads%n", BatchProgress.duration(seconds),
                    rate, threads);
            if (writeVcf != null) {
                Path index = VcfOutput.index(writeVcf);
                w.printf("wrote         %s%s%n", writeVcf, index == null ? "" : ", " + index);
            }
        }
        w.flush();
    }

    /** The baseline's row: text lines after the model's, or a second JSON line with "scorer":"markov-K". */
    private void printMarkov(PrintWriter w, List<Drawn> drawn, double[] llr, int order) {
        double[] syn = scoresOf(drawn, llr, Kind.SYNONYMOUS);
        double[] stopGained = scoresOf(drawn, llr, Kind.STOP_GAINED);
        ScoreStats.Summary stop = ScoreStats.summary(stopGained);
        ScoreStats.Summary synonymous = ScoreStats.summary(syn);
        double auroc = ScoreStats.auroc(syn, stopGained);
        double se = ScoreStats.aurocStandardError(auroc, synonymous.count(), stop.count());
        String name = "markov-" + order;
        if (json.enabled()) {
            JsonLine o = new JsonLine().put("op", "dna-vep-eval").put("scorer", name).put("markov_order", order)
                    .put("markov_train", markovTrain.toString()).put("markov_train_bases", markovBases)
                    .put("units", "nats");
            put(o, "stop_gained", stop);
            put(o, "synonymous", synonymous);
            w.println(o.put("auroc", auroc, 4).put("auroc_se", se, 4));
        } else {
            w.printf(Locale.ROOT, "baseline      the same LLR under an order-%d Markov model counted on %s (%,d bases)%n",
                    order, markovTrain, markovBases);
            w.printf(Locale.ROOT, "%-13s %7s %9s %9s %9s %9s%n", name, "count", "mean", "q1", "median", "q3");
            row(w, "stop-gained", stop);
            row(w, "synonymous", synonymous);
            w.printf(Locale.ROOT, "AUROC %-7s %.4f +- %.4f%n", name, auroc, se);
        }
        w.flush();
    }

    private static void put(JsonLine o, String kind, ScoreStats.Summary s) {
        o.put(kind + "_count", s.count()).put(kind + "_mean", s.mean(), 4).put(kind + "_q1", s.q1(), 4)
                .put(kind + "_median", s.median(), 4).put(kind + "_q3", s.q3(), 4);
    }

    private static void row(PrintWriter w, String name, ScoreStats.Summary s) {
        w.printf(Locale.ROOT, "%-13s %7d %9.4f %9.4f %9.4f %9.4f%n", name, s.count(), s.mean(), s.q1(), s.median(),
                s.q3());
    }
}
