package dev.chimera.timeseries.data;

import dev.chimera.runtime.UserException;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * How {@link SeriesFiles#read} loads a file.
 *
 * @param target    the series to keep, in this order (wide files: column names; long files: series ids);
 *                  empty keeps every series in file order. A name the file lacks is an error that lists
 *                  the available ones.
 * @param onMissing what to do with missing values and gaps in the time grid
 */
public record ReadOptions(List<String> target, MissingPolicy onMissing) {

    public ReadOptions {
        target = List.copyOf(target);
        Objects.requireNonNull(onMissing, "onMissing");
        Set<String> seen = new HashSet<>();
        for (String name : target) {
            if (!seen.add(name)) {
                throw new UserException("--target names '" + name + "' twice; expected each series once");
            }
        }
    }

    /** Every series, missing values refused. */
    public static ReadOptions defaults() {
        return new ReadOptions(List.of(), MissingPolicy.ERROR);
    }

    public ReadOptions withTarget(List<String> columns) {
        return new ReadOptions(columns, onMissing);
    }

    public ReadOptions withTarget(String... columns) {
        return new ReadOptions(List.of(columns), onMissing);
    }

    public ReadOptions withOnMissing(MissingPolicy policy) {
        return new ReadOptions(target, policy);
    }
}
