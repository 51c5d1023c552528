package dev.chimera.spark;

import java.io.Serializable;

/**
 * What a task reports to the driver: whether it computed its slice (false: the part was in place
 * already), the units it ran and how long it took.
 */
record SliceResult(int index, boolean computed, long units, double seconds) implements Serializable {
}
