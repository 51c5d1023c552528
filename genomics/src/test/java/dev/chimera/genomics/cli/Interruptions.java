package dev.chimera.genomics.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.runtime.RunJournal;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Interrupting a batch command for real: a child JVM killed with SIGKILL part-way, and the journal it leaves. */
final class Interruptions {
    private Interruptions() {
    }

    /** Runs the command in a child JVM and kills it (SIGKILL) once its journal holds {@code records} records. */
    static void runAndKill(List<String> args, Path journal, int records) throws Exception {
        List<String> cmd = DnaCli.childJvm(512, args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        long deadline = System.nanoTime() + 120_000_000_000L;
        try {
            while (System.nanoTime() < deadline) {
                assertTrue(p.isAlive(), "the child finished (exit " + (p.isAlive() ? "" : p.exitValue())
                        + ") before it could be killed; make the input bigger");
                if (Files.exists(journal) && completed(journal) >= records) {
                    p.destroyForcibly();
                    p.waitFor();
                    return;
                }
                Thread.sleep(10);
            }
            throw new AssertionError("the child did not complete " + records + " records in 120 s");
        } finally {
            p.destroyForcibly();
        }
    }

    static int completed(Path journal) throws IOException {
        int[] n = {0};
        RunJournal.replay(journal, new RunJournal.Visitor() {
            @Override
            public void part(byte type, byte[] payload) {
            }

            @Override
            public void record(byte type, long index, String id, byte[] payload) {
                n[0]++;
            }
        });
        return n[0];
    }

    /** The byte offset where the journal's last complete record frame ends, by walking its frames (see RunJournal). */
    static int lastRecordEnd(Path journal) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(journal));
        int at = 8;
        int end = -1;
        while (at + 4 <= b.limit()) {
            int n = b.getInt(at);
            int next = at + 4 + n + 4;
            if (n < 1 || next > b.limit()) {
                break;
            }
            if ((b.get(at + 4) & 0x80) != 0) {
                end = next;
            }
            at = next;
        }
        assertTrue(end > 0, "the journal holds a complete record");
        return end;
    }
}
