package dev.chimera.robotics.policy;

import dev.chimera.runtime.UserException;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;

/**
 * An ensemble directory's {@value PolicyModel#ENSEMBLE_FILE}: how many members it has and how often
 * the ensemble replans (chosen for the ensemble on validation episodes, so it is the ensemble's, not
 * any one member's). Written last by {@code robot train}, atomically: a directory without it is an
 * ensemble still being trained.
 */
public final class EnsembleFile {
    private static final String MEMBERS = "members";
    private static final String REPLAN = "replan";

    private EnsembleFile() {
    }

    /** The replanning interval recorded for an ensemble of {@code members} (frames); a one-line error otherwise. */
    static int replan(Path directory, int members) throws IOException {
        Path file = directory.resolve(PolicyModel.ENSEMBLE_FILE);
        if (!Files.isRegularFile(file)) {
            throw new UserException("--model " + directory + ": an ensemble without " + PolicyModel.ENSEMBLE_FILE
                    + " (its training has not finished; continue it with 'robot train --resume')");
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        try {
            int recorded = Integer.parseInt(p.getProperty(MEMBERS, ""));
            if (recorded != members) {
                throw new UserException("--model " + file + ": records " + recorded + " members, the directory holds "
                        + members);
            }
            return Integer.parseInt(p.getProperty(REPLAN, ""));
        } catch (NumberFormatException e) {
            throw new UserException("--model " + file + ": expected integer '" + MEMBERS + "' and '" + REPLAN
                    + "' entries", e);
        }
    }

    /** Records an ensemble's members and replanning interval, replacing the file atomically. */
    public static void write(Path directory, int members, int replan) throws IOException {
        Properties p = new Properties();
        p.setProperty(MEMBERS, Integer.toString(members));
        p.setProperty(REPLAN, Integer.toString(replan));
        Path tmp = Files.createTempFile(directory, "." + PolicyModel.ENSEMBLE_FILE, ".tmp");
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            p.store(w, "a robot policy ensemble (robot train --members)");
        }
        Files.move(tmp, directory.resolve(PolicyModel.ENSEMBLE_FILE), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
    }
}
