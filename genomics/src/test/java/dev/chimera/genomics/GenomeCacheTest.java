package dev.chimera.genomics;

import dev.chimera.runtime.Checkout;
import dev.chimera.runtime.UserException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GenomeCacheTest {
    @TempDir
    Path dir;

    @Test
    void theCheckoutIsFoundFromInsideIt() throws IOException {
        Path checkout = Checkout.find(Path.of("").toAbsolutePath());
        assertNotNull(checkout, "tests run inside the Chimera checkout");
        assertTrue(Files.isRegularFile(checkout.resolve("genomics/pom.xml")));
        assertNull(Checkout.find(dir));
        GenomeCache cache = new GenomeCache(dir);
        assertEquals(dir.resolve("genomes/MG1655-K12.fasta.gz"), cache.path(ReferenceGenome.ECOLI_K12_MG1655));
        assertTrue(!cache.has(ReferenceGenome.ECOLI_K12_MG1655));
    }

    @Test
    void aCachedFileIsUsedAsItIsAndItsLengthChecked() throws IOException {
        GenomeCache cache = new GenomeCache(dir);
        Path file = cache.path(ReferenceGenome.ECOLI_K12_MG1655);
        Files.createDirectories(file.getParent());
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(">wrong\nACGT\n".getBytes(StandardCharsets.US_ASCII));
        }
        List<String> log = new ArrayList<>();
        assertEquals(file, cache.obtain(ReferenceGenome.ECOLI_K12_MG1655, log::add));
        assertTrue(log.isEmpty(), "no fetch for a cached file");
        UserException e = assertThrows(UserException.class,
                () -> GenomeCache.verify(ReferenceGenome.ECOLI_K12_MG1655, file));
        assertTrue(e.getMessage().contains("should have 4639675 bases, this file has 4"), e.getMessage());
    }

    /** The shipped genome, unpacked into an empty cache as the commands do: its length and first bases. */
    @Test
    void theShippedEcoliGenomeIsUnpackedWhole() {
        GenomeCache cache = new GenomeCache(dir);
        List<String> log = new ArrayList<>();
        Path file = cache.obtain(ReferenceGenome.ECOLI_K12_MG1655, log::add);
        assertEquals(cache.path(ReferenceGenome.ECOLI_K12_MG1655), file);
        assertEquals(1, log.size(), log.toString());
        assertTrue(log.get(0).startsWith("unpacked the shipped E. coli K-12 MG1655 genome"), log.get(0));
        List<SequenceRecord> records = FastaSource.readAll(file);
        assertEquals(1, records.size());
        byte[] tokens = new NucleotideTokenizer().encode(records.get(0));
        assertEquals(4_639_675, tokens.length);
        // The first bases of the MG1655 chromosome (thrL's leader region): AGCTTTTCATTCTGACTGCAACGGGCAATATG.
        String first = new String(records.get(0).bases(), 0, 32, StandardCharsets.US_ASCII);
        assertEquals("AGCTTTTCATTCTGACTGCAACGGGCAATATG", first.toUpperCase(java.util.Locale.ROOT));
        try (var files = Files.list(file.getParent())) {
            assertEquals(1, files.count(), "no temporary file left behind");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
