package dev.chimera.runtime;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.core.checkpoint.Checkpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ResumeSettings and RunDirectory: a new run, a resumed one, and what each refuses. */
class ResumableRunTest {
    @TempDir
    Path dir;

    @Test
    void aNewRunTakesTheOptionsOrTheDefaults() {
        ResumeSettings r = new ResumeSettings(Map.of(), "run.");
        assertEquals(7, r.integer("steps", 7L, 100));
        assertEquals(100, r.integer("batch", null, 100));
        assertEquals(0.5, r.real("lr", null, 0.5));
        assertEquals("adamw", r.text("optimizer", null, () -> "adamw"));
        assertDoesNotThrow(() -> r.requireSame(dir));
    }

    @Test
    void aResumedRunTakesWhatItRecordedAndNamesEveryDisagreement() {
        ResumeSettings r = new ResumeSettings(Map.of("run.steps", "2000", "run.eval_every", "200", "run.lr", "0.003",
                "run.optimizer", "adamw"), "run.");
        assertEquals(2000, r.integer("steps", null, 1));
        assertEquals(2000, r.integer("steps", 2000L, 1));
        assertEquals(0.003, r.real("lr", 0.003, 1));
        assertEquals(200, r.integer("eval_every", 50L, 1));
        assertEquals("adamw", r.text("optimizer", "sgd-sai", () -> "x"));
        UserException e = assertThrows(UserException.class, () -> r.requireSame(dir));
        assertEquals(dir + " holds a run with other settings; --resume continues it only with the same ones (omit an "
                + "option to take the recorded value): --eval-every is 50, the run has 200; --optimizer is sgd-sai, "
                + "the run has adamw", e.getMessage());
    }

    /** A run directory whose 'latest' names an (empty) step directory. */
    private Path runWithLatest() throws IOException {
        Path run = dir.resolve("run");
        Files.createDirectories(run.resolve(Checkpoint.stepName(4)));
        Files.writeString(run.resolve(Checkpoint.LATEST), Checkpoint.stepName(4));
        return run;
    }

    @Test
    void aNewRunNeverWritesOverAnotherOrOverFiles() throws IOException {
        assertDoesNotThrow(() -> RunDirectory.requireFresh(dir.resolve("new")));
        assertDoesNotThrow(() -> RunDirectory.requireFresh(Files.createDirectories(dir.resolve("empty"))));
        Path run = runWithLatest();
        UserException held = assertThrows(UserException.class, () -> RunDirectory.requireFresh(run));
        assertTrue(held.getMessage().endsWith("already holds a run (step-000000004); pass --resume to continue it, or "
                + "choose another directory"), held.getMessage());
        Path other = Files.createDirectories(dir.resolve("other"));
        Files.writeString(other.resolve("notes.txt"), "x");
        UserException full = assertThrows(UserException.class, () -> RunDirectory.requireFresh(other));
        assertTrue(full.getMessage().endsWith("is not empty; choose a new or empty directory"), full.getMessage());
        // an output that is never resumed: a run there is just a directory that is not empty
        UserException notEmpty = assertThrows(UserException.class, () -> RunDirectory.requireEmpty(run));
        assertTrue(notEmpty.getMessage().endsWith("is not empty; choose a new or empty directory"), notEmpty.getMessage());
        Path file = Files.writeString(dir.resolve("file"), "x");
        UserException notDirectory = assertThrows(UserException.class, () -> RunDirectory.requireEmpty(file));
        assertTrue(notDirectory.getMessage().endsWith("is a file, not a directory"), notDirectory.getMessage());
        assertDoesNotThrow(() -> RunDirectory.requireEmpty(dir.resolve("new")));
    }

    @Test
    void resumeNeedsALatestCheckpointAndExportNeedsNone() throws IOException {
        UserException none = assertThrows(UserException.class, () -> RunDirectory.requireLatest(dir.resolve("new")));
        assertTrue(none.getMessage().contains("holds no run to resume (no 'latest' checkpoint)"), none.getMessage());
        Path run = runWithLatest();
        assertDoesNotThrow(() -> RunDirectory.requireLatest(run));
        assertDoesNotThrow(() -> RunDirectory.requireExportable(dir.resolve("export")));
        UserException export = assertThrows(UserException.class, () -> RunDirectory.requireExportable(run));
        assertTrue(export.getMessage().contains("already holds a checkpoint; nothing is overwritten"),
                export.getMessage());
    }
}
