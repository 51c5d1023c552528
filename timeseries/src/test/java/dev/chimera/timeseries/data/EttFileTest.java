package dev.chimera.timeseries.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The real ETTh1 (the shared data folder's unmodified copy, next to the repository: see its
 * README). Skipped, with a line on stderr, where that folder is absent.
 */
class EttFileTest {

    private static final String RELATIVE = "shared/data/ett/ETTh1.csv";

    /** {@code shared/data/ett/ETTh1.csv} in the working directory or the nearest folder above it that has one. */
    static Path ettH1() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(RELATIVE);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    @Test
    void ettH1HasItsRowsColumnsStepAndStart() {
        Path file = ettH1();
        if (file == null) {
            System.err.println("SKIPPED EttFileTest: no " + RELATIVE + " in " + Path.of("").toAbsolutePath()
                    + " or any folder above it");
        }
        assumeTrue(file != null, "no " + RELATIVE + " above the working directory");
        SeriesTable t = SeriesFiles.read(file);
        assertEquals("ETTh1", t.name());
        assertEquals(17_420, t.length());
        assertEquals(List.of("HUFL", "HULL", "MUFL", "MULL", "LUFL", "LULL", "OT"), t.columns());
        assertEquals(Duration.ofHours(1), t.step());
        assertEquals(Fixtures.JULY_1_2016, t.timestamps()[0]);
        assertEquals("2018-06-26 19:00:00", Timestamps.format(t.timestamps()[17_419]));
        assertEquals(30.5310001373291, t.values()[6][0], 0.0);

        Split split = Splits.protocol(t);
        assertEquals(new Split(8640, 11520, 14400), split);
        Splits.requireLength(t, split, 672, 96);
        // The benchmarks' StandardScaler on the train months (computed independently in Python):
        // OT mean 17.128..., population std 9.176...; HUFL 7.937..., 5.812....
        Scaler scaler = Scaler.fit(t, split);
        assertEquals(17.1282616982271, scaler.mean(6), 1e-12);
        assertEquals(9.176491024944383, scaler.std(6), 1e-12);
        assertEquals(7.937742245659508, scaler.mean(0), 1e-12);
        assertEquals(5.81274940914376, scaler.std(0), 1e-12);
    }
}
