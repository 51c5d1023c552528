package dev.chimera.genomics.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.genomics.MarkovBaseline;
import dev.chimera.genomics.NucleotideTokenizer;
import dev.chimera.genomics.annotation.Gff3Annotation;
import dev.chimera.genomics.cli.DnaCli.Run;
import dev.chimera.genomics.vep.CodingVariants;
import dev.chimera.genomics.vep.AlleleWindows;
import dev.chimera.genomics.vep.GeneticCode;
import dev.chimera.genomics.vep.InMemoryReference;
import dev.chimera.genomics.vep.MarkovVariantScorer;
import dev.chimera.genomics.vep.VariantSite;
import dev.chimera.genomics.vep.ScoreStats;
import dev.chimera.genomics.vep.VepTestModel;
import htsjdk.variant.variantcontext.VariantContext;
import htsjdk.variant.vcf.VCFFileReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dna vep-eval} on a synthetic annotated genome: its figures against the variants it writes,
 * and those variants through {@code dna vep} giving the same scores (the two paths agree).
 */
class VepEvalCommandTest {
    @TempDir
    Path dir;

    /** Six genes, three on each strand, of random sense codons between random spacers; GFF3 with ##FASTA. */
    private static String[] annotatedGenome() {
        Random r = new Random(5);
        StringBuilder genome = new StringBuilder();
        List<String> gff = new ArrayList<>();
        for (int g = 0; g < 6; g++) {
            genome.append(random(r, 40));
            StringBuilder orf = new StringBuilder("ATG");
            while (orf.length() < 3 * 40) {
                String c = random(r, 3);
                if (GeneticCode.translate(c.getBytes(StandardCharsets.US_ASCII), 0) != '*') {
                    orf.append(c);
                }
            }
            orf.append("TGA");
            boolean minus = g % 2 == 1;
            int start = genome.length() + 1;
            genome.append(minus ? reverseComplement(orf.toString()) : orf);
            gff.add("chrS\tsynthetic\tCDS\t" + start + "\t" + genome.length() + "\t.\t" + (minus ? '-' : '+')
                    + "\t0\tID=gene" + g);
        }
        genome.append(random(r, 40));
        return new String[] {"##gff-version 3\n" + String.join("\n", gff) + "\n", genome.toString()};
    }

    private static String random(Random r, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append("ACGT".charAt(r.nextInt(4)));
        }
        return sb.toString();
    }

    private static String reverseComplement(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = s.length() - 1; i >= 0; i--) {
            sb.append("TGCA".charAt("ACGT".indexOf(s.charAt(i))));
        }
        return sb.toString();
    }

    private static double number(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\":(-?[0-9.eE+-]+)").matcher(json);
        assertTrue(m.find(), key + " in " + json);
        return Double.parseDouble(m.group(1));
    }

    private static List<VariantContext> read(Path vcf) {
        try (VCFFileReader r = new VCFFileReader(vcf, true); Stream<VariantContext> s = r.iterator().stream()) {
            return s.toList();
        }
    }

    @Test
    void theDrawnVariantsScoreTheSameThroughDnaVepAndTheFiguresAreTheirs() throws IOException {
        String[] a = annotatedGenome();
        Path gff = Files.writeString(dir.resolve("g.gff3"), a[0] + "##FASTA\n>chrS\n" + a[1] + "\n");
        Path written = dir.resolve("drawn.vcf.gz");
        Run eval = DnaCli.run("vep-eval", "--model", VepTestModel.path().toString(), "--gff", gff.toString(),
                "--variants", "15", "--seed", "3", "--write-vcf", written.toString(), "--json", "--threads", "2");
        assertEquals(0, eval.code(), eval.err());
        String json = eval.out().strip();
        assertTrue(json.startsWith("{\"op\":\"dna-vep-eval\""), json);

        Gff3Annotation annotation = Gff3Annotation.read(gff);
        CodingVariants.Census census = CodingVariants.draw(annotation.features("CDS"), annotation.sequences(),
                gff.toString(), 15, 3).census();
        assertEquals(census.stopGainedCandidates(), (long) number(json, "candidates_stop_gained"));
        assertEquals(census.synonymousCandidates(), (long) number(json, "candidates_synonymous"));
        assertEquals(6, (long) number(json, "coding_sequences"));
        assertEquals(15, (long) number(json, "stop_gained_count"));
        assertEquals(15, (long) number(json, "synonymous_count"));
        assertEquals(VepTestModel.CONTEXT, (long) number(json, "window"));
        assertEquals(ScoreStats.aurocStandardError(number(json, "auroc"), 15, 15), number(json, "auroc_se"), 1e-4);

        List<VariantContext> drawn = read(written);
        assertEquals(30, drawn.size());
        List<Double> stop = new ArrayList<>();
        List<Double> synonymous = new ArrayList<>();
        for (VariantContext v : drawn) {
            assertEquals(a[1].charAt(v.getStart() - 1), v.getReference().getBaseString().charAt(0), v.toString());
            String[] codons = v.getAttributeAsString(VepEvalCommand.CODON_KEY, "").split(">");
            char before = GeneticCode.translate(codons[0].getBytes(StandardCharsets.US_ASCII), 0);
            char after = GeneticCode.translate(codons[1].getBytes(StandardCharsets.US_ASCII), 0);
            double llr = Double.parseDouble(v.getAttributeAsString("CHIMERA_LLR", "NaN"));
            if (v.getAttributeAsString(VepEvalCommand.CLASS_KEY, "").equals("stop_gained")) {
                assertEquals('*', after, v.toString());
                stop.add(llr);
            } else {
                assertEquals("synonymous_variant", v.getAttributeAsString(VepEvalCommand.CLASS_KEY, ""));
                assertEquals(before, after, v.toString());
                synonymous.add(llr);
            }
        }
        double[] st = stop.stream().mapToDouble(Double::doubleValue).toArray();
        double[] sy = synonymous.stream().mapToDouble(Double::doubleValue).toArray();
        // The printed figures are those of the written scores (rounded to 4 decimals there, so 1e-4 on the mean and
        // one tie's worth, 1 / (2 * 15 * 15), on the AUROC).
        assertEquals(ScoreStats.summary(st).mean(), number(json, "stop_gained_mean"), 1e-4);
        assertEquals(ScoreStats.summary(sy).median(), number(json, "synonymous_median"), 1e-4);
        assertEquals(ScoreStats.auroc(sy, st), number(json, "auroc"), 1.0 / (2 * 15 * 15) + 1e-4);

        // The same variants through dna vep, scored into another key: the same values.
        Path fasta = Files.writeString(dir.resolve("g.fa"), ">chrS\n" + a[1] + "\n");
        Path out = dir.resolve("vep.vcf.gz");
        Run vep = DnaCli.run("vep", "--model", VepTestModel.path().toString(), "--vcf", written.toString(),
                "--reference", fasta.toString(), "--out", out.toString(), "--info-key", "CHECK");
        assertEquals(0, vep.code(), vep.err());
        List<VariantContext> rescored = read(out);
        assertEquals(30, rescored.size());
        for (VariantContext v : rescored) {
            // Both 4-decimal roundings of values that differ by float rounding (~1e-7) across batches.
            assertEquals(Double.parseDouble(v.getAttributeAsString("CHIMERA_LLR", "NaN")),
                    Double.parseDouble(v.getAttributeAsString("CHECK", "NaN")), 1.01e-4, v.toString());
            assertTrue(v.hasAttribute(VepEvalCommand.CDS_KEY), "the written INFO is kept");
        }

        // The genome from --fasta instead of ##FASTA: the same draw and figures.
        Path bare = Files.writeString(dir.resolve("bare.gff3"), a[0]);
        Run noFasta = DnaCli.run("vep-eval", "--model", VepTestModel.path().toString(), "--gff", bare.toString());
        assertEquals(1, noFasta.code());
        assertEquals("dna vep-eval: error: " + bare + ": no ##FASTA section with the genome's sequences; pass --fasta",
                noFasta.err().strip());
        Run withFasta = DnaCli.run("vep-eval", "--model", VepTestModel.path().toString(), "--gff", bare.toString(),
                "--fasta", fasta.toString(), "--variants", "15", "--seed", "3", "--json", "--threads", "2");
        assertEquals(0, withFasta.code(), withFasta.err());
        for (String key : new String[] {"stop_gained_mean", "synonymous_q1", "synonymous_q3", "auroc"}) {
            assertEquals(number(json, key), number(withFasta.out(), key), 1e-4, key);
        }
    }

    @Test
    void theTextReportShowsBothDistributionsAndTheAuroc() throws IOException {
        String[] a = annotatedGenome();
        Path gff = Files.writeString(dir.resolve("g.gff3"), a[0] + "##FASTA\n>chrS\n" + a[1] + "\n");
        Run r = DnaCli.run("vep-eval", "--model", VepTestModel.path().toString(), "--gff", gff.toString(),
                "--variants", "4", "--threads", "1");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("6 CDS features in 6 coding sequences"), r.out());
        assertTrue(r.out().contains("drawn         4 stop-gained, 4 synonymous (seed 1)"), r.out());
        assertTrue(Pattern.compile("(?m)^stop-gained +4 ").matcher(r.out()).find(), r.out());
        assertTrue(Pattern.compile("(?m)^synonymous +4 ").matcher(r.out()).find(), r.out());
        assertTrue(Pattern.compile("(?m)^AUROC +[01]\\.\\d{4} \\+- 0\\.\\d{4} \\(synonymous scores above stop-gained").matcher(r.out())
                .find(), r.out());
    }

    @Test
    void theMarkovLlrIsTheMeanOverStrandsOfItsWindowLogProbabilities() {
        byte[] train = new NucleotideTokenizer().encode(annotatedGenome()[1].getBytes(StandardCharsets.US_ASCII), "t");
        MarkovBaseline.Counter counter = new MarkovBaseline.Counter(3);
        counter.add(train, 0, train.length);
        MarkovBaseline markov = counter.build();
        InMemoryReference genome = new InMemoryReference(Map.of("c", "ACGTTGCAAGGCTTAC".getBytes(StandardCharsets.US_ASCII)));
        AlleleWindows site = AlleleWindows.of(genome, new VariantSite("c", 8, "A", List.of("G"), "c:8"), 9);
        double llr = new MarkovVariantScorer(markov, 3).score(List.of(site)).get(0)[0];
        // windows of 9: TTGC A AGGC and TTGC G AGGC, and their reverse complements
        double direct = 0;
        for (String[] pair : new String[][] {{"TTGCAAGGC", "TTGCGAGGC"}, {"GCCTTGCAA", "GCCTCGCAA"}}) {
            direct += bits(markov, pair[0]) - bits(markov, pair[1]);
        }
        assertEquals(direct * Math.log(2) / 2, llr, 1e-12);
        assertTrue(llr != 0, "REF and ALT windows differ");
    }

    private static double bits(MarkovBaseline m, String window) {
        byte[] t = new NucleotideTokenizer().encode(window.getBytes(StandardCharsets.US_ASCII), "w");
        return m.score(t, 0, t.length, m.newScore()).bits(3);
    }

    @Test
    void withMarkovTrainTheBaselineRowIsPrintedBesideTheModel() throws IOException {
        String[] a = annotatedGenome();
        Path gff = Files.writeString(dir.resolve("g.gff3"), a[0] + "##FASTA\n>chrS\n" + a[1] + "\n");
        Path train = Files.writeString(dir.resolve("train.fa"), ">chrS\n" + a[1] + "\n");
        Run r = DnaCli.run("vep-eval", "--model", VepTestModel.path().toString(), "--gff", gff.toString(),
                "--variants", "4", "--threads", "1", "--markov-train", train.toString(), "--markov-order", "4");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("order-4 Markov model counted on " + train + String.format(java.util.Locale.ROOT, " (%,d bases)", a[1].length())), r.out());
        assertTrue(Pattern.compile("(?m)^AUROC markov-4 [01]\\.\\d{4} \\+- 0\\.\\d{4}$").matcher(r.out()).find(), r.out());
        assertTrue(Pattern.compile("(?m)^AUROC +[01]\\.\\d{4} \\+- ").matcher(r.out()).find(), r.out());

        Run j = DnaCli.run("vep-eval", "--model", VepTestModel.path().toString(), "--gff", gff.toString(),
                "--variants", "4", "--threads", "1", "--markov-train", train.toString(), "--markov-order", "4", "--json");
        assertEquals(0, j.code(), j.err());
        String[] lines = j.out().strip().split("\n");
        assertEquals(2, lines.length, j.out());
        assertTrue(lines[1].contains("\"scorer\":\"markov-4\""), lines[1]);
        assertEquals(4, number(lines[1], "stop_gained_count"));
        assertEquals(4, number(lines[1], "synonymous_count"));
        Run noBaseline = DnaCli.run("vep-eval", "--model", VepTestModel.path().toString(), "--gff", gff.toString(),
                "--variants", "4", "--threads", "1", "--json");
        assertEquals(number(noBaseline.out(), "auroc"), number(lines[0], "auroc"), 1e-12);
    }
}
