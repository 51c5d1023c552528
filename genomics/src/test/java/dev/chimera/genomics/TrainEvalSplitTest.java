package dev.chimera.genomics;

import dev.chimera.runtime.UserException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainEvalSplitTest {
    @TempDir
    Path dir;

    @Test
    void holdoutSplitsEveryRecordAndSeparateFilesDoNot() throws IOException {
        Path fa = Files.writeString(dir.resolve("a.fa"), ">a\nACGTACGTAC\n>b\nGGGGGNNNNT\n>c\nACG\n");
        TrainEvalSplit s = TrainEvalSplit.holdout(fa, new Holdout(0.2), new NucleotideTokenizer());
        assertEquals(3, s.parts().size());
        assertEquals(8 + 8 + 2, s.trainBases()); // round(0.6) = 1 base of c held out
        assertEquals(2 + 2 + 1, s.evalBases());
        assertArrayEquals("ACGTACGT\nGGGGGNNN\nAC".getBytes(StandardCharsets.US_ASCII), s.trainLetters());
        assertArrayEquals("AC\nNT\nG".getBytes(StandardCharsets.US_ASCII), s.evalLetters());
        assertTrue(s.parts().get(1).where().contains("record 2 'b'"));

        Path ev = Files.writeString(dir.resolve("e.fa"), ">e\nTTTT\n");
        TrainEvalSplit t = TrainEvalSplit.separate(fa, ev, new NucleotideTokenizer());
        assertEquals(23, t.trainBases());
        assertEquals(4, t.evalBases());
        assertArrayEquals("TTTT".getBytes(StandardCharsets.US_ASCII), t.evalLetters());
    }

    @Test
    void invalidCharactersNameTheFileRecordAndPosition() throws IOException {
        Path fa = Files.writeString(dir.resolve("bad.fa"), ">a\nACGT\n>b\nAC\nGT*A\n");
        UserException e = assertThrows(UserException.class,
                () -> TrainEvalSplit.holdout(fa, new Holdout(0.1), new NucleotideTokenizer()));
        assertEquals(fa + ": record 2 'b': invalid character '*' at position 5 (expected A C G T U N or an IUPAC "
                + "code; --on-invalid mask or skip accepts it)", e.getMessage());
    }
}
