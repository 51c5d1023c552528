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
import org.junit.jupiter.api.Assumptions;
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

    /**
     * The real genome, fetched into the checkout's cache (or $CHIMERA_CACHE) as the commands do. Where
     * apt-get cannot fetch it (no Debian tools, no package lists, no network) the test is skipped and
     * says why.
     */
    @Test
    void theRealEcoliGenomeHasItsLength() {
        GenomeCache cache = GenomeCache.locate();
        Path file;
        try {
            file = cache.obtain(ReferenceGenome.ECOLI_K12_MG1655, line -> System.err.println("[genome] " + line));
        } catch (UserException e) {
            System.err.println("SKIPPED theRealEcoliGenomeHasItsLength: " + e.getMessage());
            Assumptions.abort("E. coli genome not available: " + e.getMessage());
            return;
        }
        GenomeCache.verify(ReferenceGenome.ECOLI_K12_MG1655, file);
        List<SequenceRecord> records = FastaSource.readAll(file);
        assertEquals(1, records.size());
        byte[] tokens = new NucleotideTokenizer().encode(records.get(0));
        assertEquals(4_639_675, tokens.length);
    }
}
