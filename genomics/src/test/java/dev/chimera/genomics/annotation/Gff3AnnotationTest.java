package dev.chimera.genomics.annotation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.chimera.runtime.UserException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** GFF3 features, attributes and the ##FASTA section; every malformed line named. */
class Gff3AnnotationTest {
    @TempDir
    Path dir;

    private static final String GFF = String.join("\n",
            "##gff-version 3",
            "##sequence-region ctg1 1 20",
            "ctg1\tpred\tgene\t2\t10\t.\t+\t.\tID=g1;Name=alpha%3Bbeta",
            "ctg1\tpred\tCDS\t2\t10\t0.5\t+\t0\tID=c1;Parent=g1;",
            "# a comment",
            "",
            "ctg2\tpred\tCDS\t3\t8\t.\t-\t2\tID=c2",
            "##FASTA",
            ">ctg1 first contig",
            "acgtACGTac",
            "GTACGTACGT",
            ">ctg2",
            "TTTTGGGGCC",
            "");

    @Test
    void readsFeaturesAttributesAndTheFastaSection() throws IOException {
        Path gz = dir.resolve("a.gff3.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(GFF.getBytes(StandardCharsets.UTF_8));
        }
        Gff3Annotation a = Gff3Annotation.read(gz);
        assertEquals(3, a.features().size());
        List<Gff3Annotation.Feature> cds = a.features("CDS");
        assertEquals(2, cds.size());
        Gff3Annotation.Feature c1 = cds.get(0);
        assertEquals("ctg1", c1.seqid());
        assertEquals(2, c1.start());
        assertEquals(10, c1.end());
        assertEquals(9, c1.length());
        assertEquals('+', c1.strand());
        assertEquals(0, c1.phase());
        assertEquals("c1", c1.id());
        assertEquals("g1", c1.parent());
        assertEquals(4, c1.line());
        assertEquals(2, cds.get(1).phase());
        assertEquals('-', cds.get(1).strand());
        assertNull(cds.get(1).parent());
        assertEquals("alpha;beta", a.features().get(0).attributes().get("Name"), "percent-decoded");
        assertEquals(-1, a.features().get(0).phase());
        assertEquals(List.of("ctg1", "ctg2"), List.copyOf(a.sequences().keySet()));
        assertArrayEquals("ACGTACGTACGTACGTACGT".getBytes(StandardCharsets.US_ASCII), a.sequences().get("ctg1"));
        assertArrayEquals("TTTTGGGGCC".getBytes(StandardCharsets.US_ASCII), a.sequences().get("ctg2"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "ctg1\tp\tCDS\t2\t10\t.\t+\t0|expected 9 tab-separated columns, found 8",
        "ctg1\tp\tCDS\tx\t10\t.\t+\t0\t.|start must be a position >= 1, found 'x'",
        "ctg1\tp\tCDS\t12\t10\t.\t+\t0\t.|end 10 is before start 12",
        "ctg1\tp\tCDS\t2\t10\t.\t*\t0\t.|strand must be +, -, . or ?, found '*'",
        "ctg1\tp\tCDS\t2\t10\t.\t+\t3\t.|phase must be 0, 1, 2 or ., found '3'",
        "ctg1\tp\tCDS\t2\t10\t.\t+\t.\t.|a CDS needs a phase of 0, 1 or 2, found '.'",
        "ctg1\tp\tCDS\t2\t10\t.\t+\t0\tID|attribute 'ID' is not tag=value",
        "ctg1\tp\tCDS\t2\t10\t.\t+\t0\tID=a%zz|bad percent-escape in 'a%zz'"})
    void aMalformedLineIsOneErrorNamingIt(String line, String expected) throws IOException {
        Path gff = Files.writeString(dir.resolve("bad.gff"), "##gff-version 3\n" + line + "\n");
        UserException e = assertThrows(UserException.class, () -> Gff3Annotation.read(gff));
        assertEquals(gff + ": line 2: " + expected, e.getMessage());
    }

    @Test
    void fastaSectionErrorsNameTheLine() throws IOException {
        Path noHeader = Files.writeString(dir.resolve("a.gff"), "##gff-version 3\n##FASTA\nACGT\n");
        assertEquals(noHeader + ": line 3: expected a '>' header after ##FASTA",
                assertThrows(UserException.class, () -> Gff3Annotation.read(noHeader)).getMessage());
        Path twice = Files.writeString(dir.resolve("b.gff"), "##gff-version 3\n##FASTA\n>x\nAC\n>x\nGT\n");
        assertEquals(twice + ": line 5: sequence 'x' appears twice in ##FASTA",
                assertThrows(UserException.class, () -> Gff3Annotation.read(twice)).getMessage());
    }

    @Test
    void groupsFeaturesBySequenceLeavingOutWholeSequenceOnes() throws IOException {
        Path gff = Files.writeString(dir.resolve("g.gff3"), String.join("\n",
                "##gff-version 3",
                "ctg1\tp\tregion\t1\t20\t.\t+\t.\tID=ctg1",
                "ctg2\tp\tCDS\t3\t8\t.\t-\t0\tID=c2",
                "ctg3\tp\tchromosome\t1\t50\t.\t.\t.\tID=ctg3",
                "ctg1\tp\tgene\t2\t10\t.\t?\t.\tID=g1",
                "ctg1\tp\tCDS\t2\t10\t.\t+\t0\tParent=g1",
                ""));
        Gff3Annotation a = Gff3Annotation.read(gff);
        Map<String, List<Gff3Annotation.Feature>> bySeqid = a.bySeqid();
        assertEquals(List.of("ctg2", "ctg1"), List.copyOf(bySeqid.keySet()), "first appearance; ctg3 has only a "
                + "chromosome line");
        assertEquals(List.of("gene", "CDS"), bySeqid.get("ctg1").stream().map(Gff3Annotation.Feature::type).toList());
        Gff3Annotation.Feature c2 = bySeqid.get("ctg2").get(0);
        assertEquals(2, c2.from(), "0-based first base of 3..8");
        assertEquals(8, c2.end(), "half-open end");
        assertEquals(6, c2.length(), "3..8 holds six bases");
        assertEquals(5, a.features().size(), "features() keeps every line");
    }

    @Test
    void genomeIsTheFastaSectionOrASeparateFasta() throws IOException {
        String features = "##gff-version 3\nc1\tx\tCDS\t1\t3\t.\t+\t0\tID=a\n";
        String embedded = features + "##FASTA\n>c1\nACGTAC\n>c2\nGG\n";
        Path gz = dir.resolve("g.gff3.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(embedded.getBytes(StandardCharsets.US_ASCII));
        }
        for (Path p : List.of(Files.writeString(dir.resolve("g.gff3"), embedded), gz)) {
            Gff3Annotation a = Gff3Annotation.read(p);
            assertSame(a.sequences(), a.genome(null));
            assertEquals(List.of("c1", "c2"), List.copyOf(a.genome(null).keySet()));
            assertArrayEquals("ACGTAC".getBytes(StandardCharsets.US_ASCII), a.genome(null).get("c1"));
            assertArrayEquals("GG".getBytes(StandardCharsets.US_ASCII), a.genome(null).get("c2"));
        }
        Gff3Annotation bare = Gff3Annotation.read(Files.writeString(dir.resolve("n.gff3"), features));
        assertEquals(Map.of(), bare.sequences(), "no ##FASTA line: no sequences");
        Path fasta = Files.writeString(dir.resolve("s.fa"), ">c1 desc\nacgTT\n>c9\nA\n");
        Map<String, byte[]> genome = bare.genome(fasta);
        assertEquals(List.of("c1", "c9"), List.copyOf(genome.keySet()));
        assertArrayEquals("acgTT".getBytes(StandardCharsets.US_ASCII), genome.get("c1"), "letters as written");
    }

    @Test
    void anEmptySequenceOrAnEmptyFastaSectionIsAnError() throws IOException {
        Path empty = Files.writeString(dir.resolve("e.gff"), "##gff-version 3\n##FASTA\n>x\n\n>y\nAC\n");
        assertEquals(empty + ": line 3: sequence 'x' in ##FASTA has no bases",
                assertThrows(UserException.class, () -> Gff3Annotation.read(empty)).getMessage());
        Path last = Files.writeString(dir.resolve("l.gff"), "##gff-version 3\n##FASTA\n>x\nAC\n>y\n");
        assertEquals(last + ": line 5: sequence 'y' in ##FASTA has no bases",
                assertThrows(UserException.class, () -> Gff3Annotation.read(last)).getMessage());
        Path none = Files.writeString(dir.resolve("n.gff"), "##gff-version 3\n##FASTA\n\n");
        assertEquals(none + ": line 2: ##FASTA is followed by no sequence",
                assertThrows(UserException.class, () -> Gff3Annotation.read(none)).getMessage());
    }
}
