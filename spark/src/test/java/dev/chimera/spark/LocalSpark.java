package dev.chimera.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;

/**
 * The one Spark session of the test JVM (a JVM has at most one SparkContext, and starting one takes
 * seconds): local mode with 2 task slots and up to 2 attempts a task ({@code local[2,2]}; plain
 * {@code local[2]} would fail a job at its first task failure), no web UI, bound to loopback.
 */
final class LocalSpark {
    private static SparkSession session;

    private LocalSpark() {
    }

    static synchronized SparkSession session() {
        if (session == null) {
            session = SparkSession.builder().master("local[2,2]").appName("chimera spark tests")
                    .config("spark.ui.enabled", "false")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1")
                    .config("spark.sql.shuffle.partitions", "2")
                    .config("spark.sql.warehouse.dir", warehouse())
                    .getOrCreate();
        }
        return session;
    }

    /** Spark SQL's warehouse folder, which it makes in the working directory unless told otherwise. */
    private static String warehouse() {
        try {
            Path dir = Files.createTempDirectory("spark-warehouse");
            dir.toFile().deleteOnExit();
            return dir.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
