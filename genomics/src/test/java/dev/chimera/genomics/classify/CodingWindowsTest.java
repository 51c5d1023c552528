package dev.chimera.genomics.classify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.genomics.annotation.Gff3Annotation;
import dev.chimera.runtime.UserException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Windows cut over {@link Gff3Annotation}'s features: whole-sequence lines ignored, any case of letters. */
class CodingWindowsTest {
    @TempDir
    Path dir;

    private static final CodingWindows.Settings SETTINGS = new CodingWindows.Settings(20, 10, 0.25, 1000, 1);

    private static String genome(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append("ACGT".charAt(r.nextInt(4)));
        }
        return sb.toString();
    }

    private Gff3Annotation annotation(String... lines) throws IOException {
        return Gff3Annotation.read(Files.writeString(dir.resolve("a.gff3"),
                "##gff-version 3\n" + String.join("\n", lines) + "\n"));
    }

    @Test
    void softMaskedLettersGiveTheSameUpperCaseWindowsAndARegionOnlySequenceIsUnused() throws IOException {
        Gff3Annotation a = annotation(
                "c1\tt\tregion\t1\t400\t.\t+\t.\tID=c1",
                "c1\tt\tCDS\t101\t200\t.\t+\t0\tID=p",
                "c1\tt\tCDS\t251\t350\t.\t-\t0\tID=m",
                "c2\tt\tregion\t1\t400\t.\t+\t.\tID=c2");
        String c1 = genome(400, 3);
        String masked = c1.substring(0, 150).toLowerCase(Locale.ROOT) + c1.substring(150);
        Map<String, byte[]> upper = Map.of("c1", bytes(c1), "c2", bytes(genome(400, 4)));
        Map<String, byte[]> lower = Map.of("c1", bytes(masked), "c2", bytes(genome(400, 4)));
        CodingWindows.Split u = CodingWindows.cut(a, upper, SETTINGS);
        CodingWindows.Split l = CodingWindows.cut(a, lower, SETTINGS);
        assertEquals(ids(u.train()), ids(l.train()));
        assertEquals(ids(u.test()), ids(l.test()));
        List<CodingWindows.Window> uAll = concat(u.train(), u.test());
        List<CodingWindows.Window> lAll = concat(l.train(), l.test());
        for (int i = 0; i < uAll.size(); i++) {
            assertArrayEquals(uAll.get(i).bases(), lAll.get(i).bases(), uAll.get(i).id());
        }
        // c1, test part from base 300: coding '+' starts 100..180 (9, train), coding '-' starts 250..280 (train)
        // and 300..330 (test), 290 straddling; intergenic starts 0..80 and 200..230 (train), 350..380 (test).
        // c2 has only a region line: no windows.
        assertArrayEquals(new int[] {13, 4}, u.candidates().get(CodingWindows.CODING));
        assertArrayEquals(new int[] {13, 4}, u.candidates().get(CodingWindows.INTERGENIC));
        for (CodingWindows.Window w : uAll) {
            assertEquals("c1", w.sequence(), w.id());
            String forward = c1.substring(w.start(), w.end());
            assertEquals(w.strand() == '+' ? forward : reverseComplement(forward),
                    new String(w.bases(), StandardCharsets.US_ASCII), w.id());
        }
    }

    @Test
    void aFeaturePastItsSequenceNamesTheLineAndAnAnnotationOfOnlyRegionsIsAnError() throws IOException {
        Gff3Annotation past = annotation("c1\tt\tCDS\t101\t500\t.\t+\t0\tID=p");
        UserException e = assertThrows(UserException.class, () -> CodingWindows.cut(past,
                Map.of("c1", bytes(genome(400, 3))), SETTINGS));
        assertEquals(dir.resolve("a.gff3") + ": line 2: a CDS at 101-500 on 'c1', outside its 400 bases",
                e.getMessage());
        Gff3Annotation regions = annotation("c1\tt\tregion\t1\t400\t.\t+\t.\tID=c1");
        e = assertThrows(UserException.class, () -> CodingWindows.cut(regions, Map.of("c1", bytes(genome(400, 3))),
                SETTINGS));
        assertTrue(e.getMessage().endsWith("a.gff3: no features (besides whole-sequence ones such as region or "
                + "chromosome)"), e.getMessage());
    }

    private static List<CodingWindows.Window> concat(List<CodingWindows.Window> a, List<CodingWindows.Window> b) {
        List<CodingWindows.Window> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static List<String> ids(List<CodingWindows.Window> windows) {
        return windows.stream().map(w -> w.id() + " " + w.label()).toList();
    }

    private static String reverseComplement(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = s.length() - 1; i >= 0; i--) {
            sb.append("TGCA".charAt("ACGT".indexOf(s.charAt(i))));
        }
        return sb.toString();
    }
}
