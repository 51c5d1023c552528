package dev.chimera.robotics.data;

import dev.chimera.runtime.UserException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Reads and writes demonstration files ({@link DemoSchema}'s columns), the format chosen by the
 * file name: {@code .csv} for comma-separated text, {@code .arrow} for an Arrow IPC table. Writes
 * are atomic (temporary file, fsync, rename); reads check every row and fail with one line naming
 * the file, the line (CSV) or record (Arrow), the column and what was expected.
 */
public final class DemoFiles {
    /** What a demonstration file's name ends with. */
    public enum Format {
        CSV, ARROW
    }

    private DemoFiles() {
    }

    /** The format named by {@code file}'s extension, or a {@link UserException} for any other. */
    public static Format format(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".csv")) {
            return Format.CSV;
        }
        if (name.endsWith(".arrow")) {
            return Format.ARROW;
        }
        throw new UserException(file + ": unknown file type; expected a name ending in .csv or .arrow");
    }

    /** Writes {@code episodes}, sampled at {@code rateHz} (timestamp = frame_index / rateHz), to {@code file}. */
    public static void write(Path file, List<Episode> episodes, double rateHz) {
        Format format = format(file);
        DemoSchema.check(episodes, rateHz);
        if (format == Format.CSV) {
            DemoCsv.write(file, episodes, rateHz);
        } else {
            DemoArrow.write(file, episodes, rateHz);
        }
    }

    /** Reads the episodes of {@code file}, whose timestamps must be frame_index / rateHz. */
    public static List<Episode> read(Path file, double rateHz) {
        Format format = format(file);
        if (!Files.isRegularFile(file)) {
            throw new UserException(file + ": no such file");
        }
        return format == Format.CSV ? DemoCsv.read(file, rateHz) : DemoArrow.read(file, rateHz);
    }
}
