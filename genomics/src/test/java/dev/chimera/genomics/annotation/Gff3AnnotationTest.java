package dev.chimera.genomics.annotation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.chimera.runtime.UserException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
}
