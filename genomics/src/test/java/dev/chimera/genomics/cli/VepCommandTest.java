package dev.chimera.genomics.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.kernel.VectorBackend;
import dev.chimera.genomics.DnaModel;
import dev.chimera.genomics.TinyDnaModel;
import dev.chimera.genomics.cli.DnaCli.Run;
import dev.chimera.genomics.vep.AlleleWindows;
import dev.chimera.genomics.vep.InMemoryReference;
import dev.chimera.genomics.vep.VariantScorer;
import dev.chimera.genomics.vep.VariantSite;
import dev.chimera.genomics.vep.VepTestModel;
import htsjdk.samtools.reference.FastaSequenceIndexCreator;
import htsjdk.samtools.util.BlockCompressedInputStream;
import htsjdk.samtools.util.BlockCompressedOutputStream;
import htsjdk.samtools.util.GZIIndex;
import htsjdk.variant.variantcontext.Allele;
import htsjdk.variant.variantcontext.VariantContext;
import htsjdk.variant.vcf.VCFFileReader;
import htsjdk.variant.vcf.VCFHeaderLineCount;
import htsjdk.variant.vcf.VCFHeaderLineType;
import htsjdk.variant.vcf.VCFInfoHeaderLine;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code dna vep}: the scores in the output against the scorer, the output bgzipped and indexed
 * (read back through the index), multi-allelic, indel and unscored alleles, the reference indexed or
 * bgzipped, and every bad record one line with no output.
 */
class VepCommandTest {
    private static final String CHR1 = TinyDnaModel.dna(31, 300);
    private static final String CHR2 = TinyDnaModel.dna(32, 200);

    @TempDir
    Path dir;

    private static char other(char base) {
        return base == 'A' ? 'C' : 'A';
    }

    /** Six records: SNV, a multi-allelic deletion/MNV/symbolic, insertion, a 60 bp insertion, '*', deletion. */
    private static String records() {
        String multi = CHR1.substring(119, 122);
        return String.join("\n",
                "chr1\t50\trs1\t" + CHR1.charAt(49) + "\t" + other(CHR1.charAt(49)) + "\t30\tPASS\tDP=10",
                "chr1\t120\t.\t" + multi + "\t" + multi.charAt(0) + "," + other(multi.charAt(0)) + multi.substring(1)
                        + ",<DEL>\t.\t.\t.",
                "chr1\t200\t.\t" + CHR1.charAt(199) + "\t" + CHR1.charAt(199) + "TTAGC\t.\t.\t.",
                "chr1\t250\t.\t" + CHR1.charAt(249) + "\t" + CHR1.charAt(249) + "A".repeat(60) + "\t.\t.\t.",
                "chr2\t30\t.\t" + CHR2.charAt(29) + "\t*\t.\t.\t.",
                "chr2\t100\t.\t" + CHR2.substring(99, 103) + "\t" + CHR2.charAt(99) + "\t.\t.\t.") + "\n";
    }

    private static String vcf(String records) {
        return "##fileformat=VCFv4.2\n"
                + "##INFO=<ID=DP,Number=1,Type=Integer,Description=\"Depth\">\n"
                + "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n" + records;
    }

    private Path reference() throws IOException {
        return Files.writeString(dir.resolve("ref.fa"), ">chr1 first\n" + wrap(CHR1) + ">chr2\n" + wrap(CHR2));
    }

    private static String wrap(String bases) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < bases.length(); i += 60) {
            sb.append(bases, i, Math.min(bases.length(), i + 60)).append('\n');
        }
        return sb.toString();
    }

    /** The expected scores: the scorer on the same sites and the commands' default window, min(512, 64). */
    private static List<double[]> expected(List<VariantContext> records) throws IOException {
        Map<String, byte[]> genome = new LinkedHashMap<>();
        genome.put("chr1", CHR1.getBytes(StandardCharsets.US_ASCII));
        genome.put("chr2", CHR2.getBytes(StandardCharsets.US_ASCII));
        InMemoryReference ref = new InMemoryReference(genome);
        List<AlleleWindows> sites = new ArrayList<>();
        for (VariantContext v : records) {
            List<String> alts = new ArrayList<>();
            for (Allele a : v.getAlternateAlleles()) {
                alts.add(a.getDisplayString());
            }
            sites.add(AlleleWindows.of(ref, new VariantSite(v.getContig(), v.getStart(),
                    v.getReference().getDisplayString(), alts, "test"), VepTestModel.CONTEXT));
        }
        DnaModel model = DnaModel.open(VepTestModel.path());
        try (ComputePool pool = new ComputePool(1)) {
            return new VariantScorer(model.decoder(VepTestModel.CONTEXT, new VectorBackend(pool)), VepTestModel.CONTEXT, 5)
                    .score(sites);
        }
    }

    private static List<VariantContext> read(Path vcf) {
        try (VCFFileReader r = new VCFFileReader(vcf, false); Stream<VariantContext> s = r.iterator().stream()) {
            return s.toList();
        }
    }

    private static List<String> llr(VariantContext v, String key) {
        return v.hasAttribute(key) ? v.getAttributeAsStringList(key, null) : List.of();
    }

    @Test
    void writesEveryRecordWithOneScorePerAltBgzippedAndIndexed() throws IOException {
        Path ref = reference();
        Path in = Files.writeString(dir.resolve("in.vcf"), vcf(records()));
        Path out = dir.resolve("out/scored.vcf.gz");
        Run r = DnaCli.run("vep", "--model", VepTestModel.path().toString(), "--vcf", in.toString(), "--reference",
                ref.toString(), "--out", out.toString(), "--threads", "2");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("records       6 (8 ALT alleles: 5 scored, 3 not scored)"), r.out());
        assertTrue(r.err().contains("indexed " + ref + ": wrote " + ref + ".fai"), r.err());
        assertTrue(r.err().contains("warning: 3 ALT alleles not scored ('.'): 2 symbolic, breakend or '*', "
                + "1 longer than 50 bp or the window"), r.err());
        assertTrue(Files.exists(dir.resolve("ref.fa.fai")));
        assertTrue(BlockCompressedInputStream.isValidFile(new java.io.BufferedInputStream(Files.newInputStream(out))),
                "bgzipped");
        assertTrue(Files.exists(dir.resolve("out/scored.vcf.gz.tbi")));
        try (Stream<Path> files = Files.list(dir.resolve("out"))) {
            assertEquals(2, files.count(), "the VCF and its index, no temporary files");
        }

        List<VariantContext> records = read(out);
        assertEquals(6, records.size());
        List<double[]> want = expected(records);
        for (int i = 0; i < records.size(); i++) {
            VariantContext v = records.get(i);
            List<String> got = llr(v, "CHIMERA_LLR");
            assertEquals(v.getAlternateAlleles().size(), got.size(), "Number=A: " + v);
            for (int a = 0; a < got.size(); a++) {
                double w = want.get(i)[a];
                if (Double.isNaN(w)) {
                    assertEquals(".", got.get(a), v.toString());
                } else {
                    // written with 4 decimals
                    assertEquals(w, Double.parseDouble(got.get(a)), 5.1e-5, v.toString());
                }
            }
        }
        assertEquals(".", llr(records.get(1), "CHIMERA_LLR").get(2), "<DEL>");
        assertEquals(".", llr(records.get(3), "CHIMERA_LLR").get(0), "60 bp");
        assertEquals(".", llr(records.get(4), "CHIMERA_LLR").get(0), "*");
        assertEquals("rs1", records.get(0).getID());
        assertEquals(10, records.get(0).getAttributeAsInt("DP", 0), "other INFO kept");

        try (VCFFileReader indexed = new VCFFileReader(out, true)) {
            VCFInfoHeaderLine info = indexed.getFileHeader().getInfoHeaderLine("CHIMERA_LLR");
            assertEquals(VCFHeaderLineCount.A, info.getCountType());
            assertEquals(VCFHeaderLineType.Float, info.getType());
            assertTrue(info.getDescription().contains("ln P(ALT) - ln P(REF) in nats"), info.getDescription());
            assertTrue(info.getDescription().contains("forward and reverse-complement"), info.getDescription());
            assertEquals(List.of("chr1", "chr2"), indexed.getFileHeader().getSequenceDictionary().getSequences().stream()
                    .map(s -> s.getSequenceName()).toList(), "contigs from the reference");
            try (var hits = indexed.query("chr1", 110, 210)) {
                List<Integer> starts = hits.stream().map(VariantContext::getStart).toList();
                assertEquals(List.of(120, 200), starts, "a region through the tabix index");
            }
            try (var hits = indexed.query("chr2", 90, 110)) {
                assertEquals(List.of(100), hits.stream().map(VariantContext::getStart).toList());
            }
        }
    }

    @Test
    void aBgzippedReferenceAndVcfGiveTheSameScores() throws IOException {
        Path plainRef = reference();
        Path plainIn = Files.writeString(dir.resolve("in.vcf"), vcf(records()));
        Path plainOut = dir.resolve("plain.vcf.gz");
        assertEquals(0, DnaCli.run("vep", "--model", VepTestModel.path().toString(), "--vcf", plainIn.toString(),
                "--reference", plainRef.toString(), "--out", plainOut.toString()).code());

        Path bgzRef = dir.resolve("ref.fa.gz");
        Path bgzIn = dir.resolve("in.vcf.gz");
        bgzip(plainRef, bgzRef);
        bgzip(plainIn, bgzIn);
        Path out = dir.resolve("bgz.vcf.gz");
        String[] args = {"vep", "--model", VepTestModel.path().toString(), "--vcf", bgzIn.toString(), "--reference",
            bgzRef.toString(), "--out", out.toString()};
        Run missing = DnaCli.run(args);
        assertEquals(1, missing.code());
        assertEquals("dna vep: error: --reference " + bgzRef + ": bgzipped FASTA without its index " + bgzRef
                + ".fai; make both with 'samtools faidx " + bgzRef + "'\n", missing.err());

        // .fai offsets are those of the uncompressed text; .gzi maps them into the BGZF blocks.
        FastaSequenceIndexCreator.buildFromFasta(plainRef).write(dir.resolve("ref.fa.gz.fai"));
        GZIIndex.createIndex(bgzRef, true);
        Run r = DnaCli.run(args);
        assertEquals(0, r.code(), r.err());
        List<VariantContext> a = read(plainOut);
        List<VariantContext> b = read(out);
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(llr(a.get(i), "CHIMERA_LLR"), llr(b.get(i), "CHIMERA_LLR"));
        }

        Path gz = dir.resolve("plain-gzip.fa.gz");
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(gz))) {
            o.write(Files.readAllBytes(plainRef));
        }
        Run gzip = DnaCli.run("vep", "--model", VepTestModel.path().toString(), "--vcf", plainIn.toString(),
                "--reference", gz.toString(), "--out", dir.resolve("x.vcf.gz").toString());
        assertEquals(1, gzip.code());
        assertTrue(gzip.err().startsWith("dna vep: error: --reference " + gz + ": gzip-compressed, but random access "
                + "needs bgzip"), gzip.err());
    }

    private static void bgzip(Path from, Path to) throws IOException {
        try (OutputStream o = new BlockCompressedOutputStream(to.toFile())) {
            o.write(Files.readAllBytes(from));
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "chr3\t10\t.\tA\tC|line 6 (chr3:10): contig 'chr3' is not in the reference",
        "chr2\t201\t.\tA\tC|line 6 (chr2:201): REF A at chr2:201 lies outside the reference's chr2 (1-200)",
        "chr2\t199\t.\tAAA\tC|line 6 (chr2:199): REF AAA at chr2:199-201 lies outside the reference's chr2 (1-200)",
        "chr2\t140\t.\tMISMATCH\tC|line 6 (chr2:140): REF X does not match the reference, which has Y at chr2:140",
        "chr1\t10\t.\tSAME\tC|line 6 (chr1:10): not sorted: contig chr1 appears again after chr2 (tabix needs each "
                + "contig's records together; sort with 'bcftools sort')",
        "chr2\t5\t.\tSAME\tC|line 6 (chr2:5): not sorted: position 5 after 100 (sort with 'bcftools sort')",
        "chr2\tx\t.\tA\tC|line 6: x is not a valid start position in the VCF format"})
    void aBadRecordIsOneLineNamingItAndNothingIsWritten(String record, String expected) throws IOException {
        Path ref = reference();
        String line = record;
        String message = expected;
        if (record.contains("MISMATCH")) {
            char found = CHR2.charAt(139);
            line = record.replace("MISMATCH", String.valueOf(other(found)));
            message = expected.replace("REF X", "REF " + other(found)).replace("has Y", "has " + found);
        } else if (record.contains("SAME")) {
            String contig = record.substring(0, 4);
            int pos = Integer.parseInt(record.split("\t")[1]);
            char base = (contig.equals("chr1") ? CHR1 : CHR2).charAt(pos - 1);
            line = record.replace("SAME\tC", base + "\t" + other(base));
        }
        Path in = Files.writeString(dir.resolve("in.vcf"), vcf("chr1\t5\t.\t" + CHR1.charAt(4) + "\t"
                + other(CHR1.charAt(4)) + "\t.\t.\t.\n" + "chr2\t100\t.\t" + CHR2.charAt(99) + "\t"
                + other(CHR2.charAt(99)) + "\t.\t.\t.\n" + line + "\t.\t.\t.\n"));
        Path outDir = Files.createDirectories(dir.resolve("out"));
        Run r = DnaCli.run("vep", "--model", VepTestModel.path().toString(), "--vcf", in.toString(), "--reference",
                ref.toString(), "--out", outDir.resolve("o.vcf.gz").toString());
        assertEquals(1, r.code(), r.err());
        List<String> errors = r.err().lines().filter(l -> l.startsWith("dna vep: error: ")).toList();
        assertEquals(1, errors.size(), r.err());
        assertTrue(errors.get(0).startsWith("dna vep: error: " + in + ": " + message), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace");
        try (Stream<Path> files = Files.list(outDir)) {
            assertEquals(0, files.count(), "nothing written");
        }
    }

    @Test
    void missingFilesAreOneLineErrors() throws IOException {
        Path ref = reference();
        Path in = Files.writeString(dir.resolve("in.vcf"), vcf(records()));
        Path none = dir.resolve("none");
        String model = VepTestModel.path().toString();
        Run vcf = DnaCli.run("vep", "--model", model, "--vcf", none + ".vcf", "--reference", ref.toString(), "--out",
                dir.resolve("o.vcf.gz").toString());
        assertEquals(1, vcf.code());
        assertTrue(vcf.err().endsWith("dna vep: error: " + none + ".vcf: no such file\n"), vcf.err());
        Run fasta = DnaCli.run("vep", "--model", model, "--vcf", in.toString(), "--reference", none + ".fa", "--out",
                dir.resolve("o.vcf.gz").toString());
        assertEquals(1, fasta.code());
        assertEquals("dna vep: error: --reference " + none + ".fa: no such file\n", fasta.err());
        Path notVcf = Files.writeString(dir.resolve("x.vcf"), "chr1\t5\t.\tA\tC\t.\t.\t.\n");
        Run bad = DnaCli.run("vep", "--model", model, "--vcf", notVcf.toString(), "--reference", ref.toString(),
                "--out", dir.resolve("o.vcf.gz").toString());
        assertEquals(1, bad.code());
        assertTrue(bad.err().endsWith("dna vep: error: " + notVcf + ": not a VCF file (expected a first line "
                + "'##fileformat=VCFv4.x')\n"), bad.err());
        assertFalse(Files.exists(dir.resolve("o.vcf.gz")));
    }

    @Test
    void badOptionsAreUsageErrors() throws IOException {
        Path ref = reference();
        Path in = Files.writeString(dir.resolve("in.vcf"), vcf(records()));
        String model = VepTestModel.path().toString();
        Run window = DnaCli.run("vep", "--model", model, "--vcf", in.toString(), "--reference", ref.toString(),
                "--out", dir.resolve("o.vcf.gz").toString(), "--window", "65");
        assertEquals(2, window.code());
        assertTrue(window.err().contains("--window must be in 1..64 (the model's context), got 65"), window.err());
        Run key = DnaCli.run("vep", "--model", model, "--vcf", in.toString(), "--reference", ref.toString(),
                "--out", dir.resolve("o.vcf.gz").toString(), "--info-key", "1BAD");
        assertEquals(2, key.code());
        assertTrue(key.err().contains("--info-key must be a VCF INFO key"), key.err());
        Run plain = DnaCli.run("vep", "--model", model, "--vcf", in.toString(), "--reference", ref.toString(),
                "--out", dir.resolve("o.vcf").toString());
        assertEquals(2, plain.code());
        assertTrue(plain.err().contains("expected a .vcf.gz file name"), plain.err());
    }
}
