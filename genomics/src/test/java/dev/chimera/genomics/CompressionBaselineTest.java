package dev.chimera.genomics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.genomics.CompressionBaseline.Compressor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class CompressionBaselineTest {

    private static byte[] randomLetters(Random rnd, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) "ACGT".charAt(rnd.nextInt(4));
        }
        return b;
    }

    @Test
    void randomBasesCostAboutTwoBitsAndARepeatAlmostNothingToXz() {
        Random rnd = new Random(9);
        byte[] train = randomLetters(rnd, 200_000);
        byte[] fresh = randomLetters(rnd, 20_000);
        // A copy of train text from 150 kB back: beyond gzip's 32 KB window, inside xz's dictionary.
        byte[] repeat = Arrays.copyOfRange(train, 10_000, 30_000);
        AtomicLong last = new AtomicLong();
        List<CompressionBaseline.Result> results = CompressionBaseline.measureAll(
                List.of(Compressor.XZ_9E, Compressor.GZIP_9), train, fresh, fresh.length, 2, last::set);
        assertEquals(2L * 2 * (train.length + fresh.length), last.get(), "progress reaches the total");
        for (CompressionBaseline.Result r : results) {
            // Uniform random bases carry 2 bits; a byte-oriented compressor cannot go below that.
            assertTrue(r.conditionalBitsPerBase() > 1.95 && r.conditionalBitsPerBase() < 2.6, r.toString());
            assertTrue(r.evalOnlyBitsPerBase() > 1.95 && r.evalOnlyBitsPerBase() < 2.6, r.toString());
        }
        CompressionBaseline.Result xz = CompressionBaseline.measure(Compressor.XZ_9E, train, repeat, repeat.length, x -> { });
        CompressionBaseline.Result gz = CompressionBaseline.measure(Compressor.GZIP_9, train, repeat, repeat.length, x -> { });
        assertTrue(xz.conditionalBitsPerBase() < 0.05, "xz finds the repeat: " + xz);
        assertTrue(xz.evalOnlyBitsPerBase() > 1.95, "alone it is random text: " + xz);
        assertTrue(gz.conditionalBitsPerBase() > 1.95, "gzip's window does not reach it: " + gz);
    }

    @Test
    void gzipFigureIsTheJavaGzipSize() throws IOException {
        byte[] text = randomLetters(new Random(4), 5000);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(bytes) {
            {
                def.setLevel(9);
            }
        }) {
            out.write(text);
        }
        assertEquals(bytes.size(), Compressor.GZIP_9.compressedBytes(x -> { }, text));
        assertThrows(IllegalArgumentException.class,
                () -> CompressionBaseline.measure(Compressor.GZIP_9, text, new byte[0], 0, x -> { }));
    }
}
