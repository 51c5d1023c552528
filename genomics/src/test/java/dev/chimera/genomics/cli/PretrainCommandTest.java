package dev.chimera.genomics.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.core.checkpoint.AtomicFiles;
import dev.chimera.core.checkpoint.Checkpoint;
import dev.chimera.genomics.DnaModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PretrainCommandTest {
    private static final Pattern STEP_LINE = Pattern.compile("(?m)^step (\\d+)/\\d+  loss (\\S+)  eval (\\S+)");

    @TempDir
    Path dir;
    Path fasta;

    @BeforeEach
    void files() throws IOException {
        Random rnd = new Random(21);
        fasta = Files.writeString(dir.resolve("g.fa"), ">a\n" + DnaCli.dna(rnd, 3_000) + "\n>b\n" + DnaCli.dna(rnd, 2_000)
                + "\n");
    }

    /** A tiny run of {@code steps} steps with every progress line; extra arguments appended. */
    private DnaCli.Run pretrain(Path out, int steps, String... extra) {
        List<String> args = new ArrayList<>(List.of("pretrain", "--fasta", fasta.toString(), "--config", "tiny",
                "--steps", Integer.toString(steps), "--context", "32", "--batch", "2", "--eval-every", "2",
                "--eval-batches", "2", "--log-every", "1", "--threads", "1", "--seed", "4", "--out", out.toString()));
        args.addAll(List.of(extra));
        return DnaCli.run(args.toArray(new String[0]));
    }

    /** "step loss" of every progress line, and its held-out loss where {@code step} is an --eval-every step. */
    private static List<String> losses(String stderr) {
        List<String> out = new ArrayList<>();
        Matcher m = STEP_LINE.matcher(stderr);
        while (m.find()) {
            boolean evalStep = Integer.parseInt(m.group(1)) % 2 == 0;
            out.add(m.group(1) + " " + m.group(2) + (evalStep ? " " + m.group(3) : ""));
        }
        return out;
    }

    private static String sha(Path file) throws IOException {
        return AtomicFiles.sha256(file);
    }

    @Test
    void writesACheckpointThatOpensAsADnaModelAndReportsBitsPerBase() throws IOException {
        Path out = dir.resolve("run");
        Path export = Files.createDirectories(dir.resolve("export"));
        Files.writeString(export.resolve("README.md"), "how this model was trained\n");
        DnaCli.Run r = pretrain(out, 4, "--json", "--export", export.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(4, losses(r.err()).size(), r.err());
        assertTrue(r.err().contains("scoring held-out part"), r.err());
        // 300 + 200 held-out bases, all scored.
        assertTrue(r.out().matches("(?s)\\{\"op\":\"dna-pretrain\".*\"steps\":4,\"total_steps\":4.*\"held_out_bases\":500,"
                + "\"held_out_n\":0,\"bits_per_base\":[12]\\.\\d{4}.*\\}\\s*"), r.out());

        DnaModel model = DnaModel.open(out);
        assertEquals(32, model.context());
        assertEquals(4, model.steps());
        assertTrue(model.checkpoint().hasOptimizer());
        assertEquals("4", model.checkpoint().trainerState().info().get("pretrain.steps"));

        DnaModel exported = DnaModel.open(export);
        assertFalse(exported.checkpoint().hasOptimizer());
        assertEquals(4, exported.steps());
        assertEquals(sha(Checkpoint.latest(out).get().resolve(Checkpoint.MODEL)).length(), 64);
        String bits = exported.checkpoint().trainerState().info().get("pretrain.held_out_bits_per_base");
        assertTrue(bits.matches("[12]\\.\\d{4}"), bits);
        assertTrue(r.out().contains("\"bits_per_base\":" + bits), r.out());

        // dna baseline --model: the same number beside the Markov rows, on the same split.
        DnaCli.Run baseline = DnaCli.run("baseline", "--fasta", fasta.toString(), "--max-order", "3", "--no-compressors",
                "--model", export.toString(), "--threads", "1");
        assertEquals(0, baseline.code(), baseline.err());
        assertTrue(baseline.out().contains("markov order 3"), baseline.out());
        assertTrue(Pattern.compile("(?m)^chimera, step 4, T 32 +" + Pattern.quote(bits) + "$").matcher(baseline.out())
                .find(), baseline.out());
        assertFalse(baseline.err().contains("note:"), baseline.err());
    }

    /** The two pieces each run in a new JVM: no JIT state or memory is shared with the uninterrupted run. */
    @Test
    void resumingAfterNStepsRepeatsTheUninterrupted2NStepRunBitForBit() throws Exception {
        Path whole = dir.resolve("whole");
        Path pieces = dir.resolve("pieces");
        DnaCli.Run a = pretrain(whole, 6, "--json");
        assertEquals(0, a.code(), a.err());
        List<String> firstArgs = new ArrayList<>(List.of("pretrain", "--fasta", fasta.toString(), "--config", "tiny",
                "--steps", "6", "--context", "32", "--batch", "2", "--eval-every", "2", "--eval-batches", "2",
                "--log-every", "1", "--threads", "1", "--seed", "4", "--out", pieces.toString(), "--stop-at", "3"));
        DnaCli.Run first = DnaCli.runInNewJvm(firstArgs.toArray(new String[0]));
        assertEquals(0, first.code(), first.err());
        assertEquals(3, DnaModel.open(pieces).steps());
        // Only --out and --resume: every setting comes from the checkpoint.
        DnaCli.Run second = DnaCli.runInNewJvm("pretrain", "--out", pieces.toString(), "--resume", "--threads", "1",
                "--json");
        assertEquals(0, second.code(), second.err());
        assertTrue(second.err().contains("resuming " + pieces + " from step 3 of 6"), second.err());

        List<String> all = losses(a.err());
        List<String> resumed = new ArrayList<>(losses(first.err()));
        resumed.addAll(losses(second.err()));
        assertEquals(6, all.size());
        assertEquals(all, resumed);
        Path end = whole.resolve(Checkpoint.stepName(6));
        Path endPieces = pieces.resolve(Checkpoint.stepName(6));
        assertEquals(sha(end.resolve(Checkpoint.MODEL)), sha(endPieces.resolve(Checkpoint.MODEL)));
        assertEquals(sha(end.resolve(Checkpoint.OPTIMIZER)), sha(endPieces.resolve(Checkpoint.OPTIMIZER)));
        assertEquals(a.out().replaceAll("\"out\":\"[^\"]*\"", "").replaceAll("\"train_seconds\":[0-9.]+", ""),
                second.out().replaceAll("\"out\":\"[^\"]*\"", "").replaceAll("\"train_seconds\":[0-9.]+", ""));
    }

    @Test
    void refusesToOverwriteARunOrResumeItWithOtherSettings() throws IOException {
        Path out = dir.resolve("run");
        assertEquals(0, pretrain(out, 2).code());
        Path step = out.resolve(Checkpoint.stepName(2));
        String before = sha(step.resolve(Checkpoint.MODEL)) + Files.readString(out.resolve(Checkpoint.LATEST));

        DnaCli.Run again = pretrain(out, 2);
        assertEquals(1, again.code());
        assertTrue(again.err().matches("dna pretrain: error: --out .* already holds a run \\(step-000000002\\); pass "
                + "--resume to continue it, or choose another directory\\s*"), again.err());

        DnaCli.Run lr = pretrain(out, 2, "--resume", "--lr", "0.1");
        assertEquals(1, lr.code());
        assertTrue(lr.err().contains("holds a run with other settings") && lr.err().contains("--lr is 0.1, the run has"),
                lr.err());
        DnaCli.Run config = DnaCli.run("pretrain", "--out", out.toString(), "--resume", "--config", "small");
        assertEquals(1, config.code());
        assertTrue(config.err().contains("different model config"), config.err());
        assertEquals(1, config.err().strip().lines().count(), config.err());
        assertEquals(before, sha(step.resolve(Checkpoint.MODEL)) + Files.readString(out.resolve(Checkpoint.LATEST)));
        try (Stream<Path> s = Files.list(out)) {
            assertEquals(2, s.count(), "latest and step-000000002 only");
        }

        Path other = Files.createDirectories(dir.resolve("other"));
        Files.writeString(other.resolve("notes.txt"), "mine");
        DnaCli.Run notEmpty = pretrain(other, 2);
        assertEquals(1, notEmpty.code());
        assertTrue(notEmpty.err().contains("is not empty"), notEmpty.err());
        DnaCli.Run export = pretrain(dir.resolve("new"), 2, "--export", out.toString() + "/" + Checkpoint.stepName(2));
        assertEquals(1, export.code());
        assertTrue(export.err().contains("already holds a checkpoint"), export.err());
        assertFalse(Files.exists(dir.resolve("new")), "refused before training");
        DnaCli.Run nothing = pretrain(dir.resolve("new"), 2, "--resume");
        assertEquals(1, nothing.code());
        assertTrue(nothing.err().contains("holds no run to resume"), nothing.err());
    }

    @Test
    void aDivergingRunExitsWithStatus1AndTheMessage() {
        DnaCli.Run r = pretrain(dir.resolve("run"), 4, "--lr", "1e30", "--warmup", "0");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("dna pretrain: error: step ") && r.err().contains("training stopped"), r.err());
    }

    @Test
    void badArgumentsAreOneLineErrors() {
        DnaCli.Run config = DnaCli.run("pretrain", "--fasta", fasta.toString(), "--config",
                dir.resolve("none.json").toString(), "--out", dir.resolve("a").toString());
        assertEquals(1, config.code());
        assertTrue(config.err().contains("is neither a preset"), config.err());
        DnaCli.Run fraction = pretrain(dir.resolve("b"), 2, "--holdout-fraction", "0");
        assertEquals(2, fraction.code());
        assertTrue(fraction.err().contains("--holdout-fraction must be in (0, 1)"), fraction.err());
        DnaCli.Run missing = DnaCli.run("pretrain", "--fasta", dir.resolve("missing.fa").toString(), "--out",
                dir.resolve("c").toString());
        assertEquals(1, missing.code());
        assertEquals(1, missing.err().strip().lines().count(), missing.err());
    }
}
